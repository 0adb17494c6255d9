//! The rules a username and a new password must meet, said in sentences a
//! person can act on.

use crate::{Error, Result};

/// Shortest and longest username, in characters.
pub const USERNAME_LEN: (usize, usize) = (3, 32);
/// Shortest and longest password, in characters. The cap bounds hashing work.
pub const PASSWORD_LEN: (usize, usize) = (8, 128);

/// Normalises and checks a username: trimmed, 3–32 characters of
/// `a-z A-Z 0-9 _ . -`, stored lower-cased (names are case-insensitive).
///
/// The characters are checked before any case mapping, so nothing outside
/// the rule is quietly turned into something inside it: Unicode lower-casing
/// maps the Kelvin sign (U+212A) to `k` and would let "\u{212A}elvin"
/// become "kelvin". Such a name is refused with the rule instead.
pub fn normalize_username(raw: &str) -> Result<String> {
    let name = raw.trim();
    let (min, max) = USERNAME_LEN;
    if name.is_empty() {
        return Err(Error::Invalid("Please enter a username.".into()));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
    {
        return Err(Error::Invalid(
            "A username may contain only letters a–z, digits 0–9, and _ . -".into(),
        ));
    }
    // ASCII from here on: characters and bytes agree.
    if name.len() < min || name.len() > max {
        return Err(Error::Invalid(format!(
            "A username has {min} to {max} characters."
        )));
    }
    Ok(name.to_ascii_lowercase())
}

/// Checks a new password: its length (any characters are allowed), and that
/// it is not only spaces or other blank characters, which a person would
/// not mean as a password and an onlooker could guess from its length.
pub fn check_new_password(password: &str) -> Result<()> {
    let (min, max) = PASSWORD_LEN;
    let len = password.chars().count();
    if len < min {
        return Err(Error::Invalid(format!(
            "A password needs at least {min} characters."
        )));
    }
    if len > max {
        return Err(Error::Invalid(format!(
            "A password can have at most {max} characters."
        )));
    }
    if password.chars().all(char::is_whitespace) {
        return Err(Error::Invalid(
            "A password cannot be only spaces: use letters, digits or symbols too.".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_lowercased_and_trimmed() {
        assert_eq!(normalize_username("  Alice_01 ").unwrap(), "alice_01");
        assert_eq!(normalize_username("a.b-c").unwrap(), "a.b-c");
    }

    #[test]
    fn username_rules() {
        for bad in [
            "",
            "ab",
            &"x".repeat(33),
            "bob smith",
            "bøb",
            "robert'); DROP TABLE users;--",
            "a/b",
            "名前名前",
            "eve\u{0}",
            // Lower-cased by Unicode into the rule, so refused before it.
            "\u{212A}elvin",
            "\u{0130}stanbul",
        ] {
            assert!(
                matches!(normalize_username(bad), Err(Error::Invalid(_))),
                "{bad:?} was accepted"
            );
        }
        assert!(normalize_username(&"x".repeat(32)).is_ok());
        assert!(normalize_username("abc").is_ok());
    }

    #[test]
    fn password_rules() {
        assert!(check_new_password("1234567").is_err());
        assert!(check_new_password("12345678").is_ok());
        assert!(check_new_password(&"p".repeat(128)).is_ok());
        assert!(check_new_password(&"p".repeat(129)).is_err());
        // characters, not bytes
        assert!(check_new_password("ééééééé").is_err());
        assert!(check_new_password("éééééééé").is_ok());
        for blank in [
            "        ",
            "\t\t\t\t\t\t\t\t",
            "\u{3000}".repeat(8).as_str(),
        ] {
            assert!(
                matches!(check_new_password(blank), Err(Error::Invalid(_))),
                "{blank:?} was accepted"
            );
        }
        assert!(check_new_password(" pass word ").is_ok());
    }
}
