#ifndef CYCLADES_CPANGOCAIRO_SHIM_H
#define CYCLADES_CPANGOCAIRO_SHIM_H

// cairo (PDF surface) and Pango over cairo, as Debian 12 ships them (cairo 1.16, Pango 1.50).
#include <cairo.h>
#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#endif
