import Testing
@testable import Gateway

@Suite("Password rules")
struct PasswordPolicyTests {
    @Test("12 characters and three kinds of characters", arguments: [
        ("Court1!", false), ("toutenminuscules", false), ("Correct-Cheval-9", true),
        ("abcdefghijK1", true), ("ABCDEFGHIJKL", false),
    ])
    func rules(password: String, accepted: Bool) {
        #expect(PasswordPolicy.problems(password, login: "marie.curie@ac-paris.fr").isEmpty == accepted)
    }

    @Test("the login may not be inside the password")
    func loginInside() {
        #expect(!PasswordPolicy.problems("Marie.Curie-2027", login: "marie.curie@ac-paris.fr").isEmpty)
    }
}
