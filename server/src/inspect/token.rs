//! An access token opened: a JWT is three base64url parts joined by dots,
//! and the first two are only encoded, not encrypted. Anyone holding the
//! token reads them; only the signature needs the key. The inspector shows
//! what they decode to, never the token's text.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// The three parts of a token, decoded where they can be.
#[derive(Clone, Debug, PartialEq)]
pub struct Opened {
    /// The header as JSON, if it decodes to JSON.
    pub header: Option<serde_json::Value>,
    /// The payload (the claims) as JSON, if it decodes to JSON.
    pub payload: Option<serde_json::Value>,
    /// Bytes of each part's text, in order.
    pub part_chars: [usize; 3],
    /// Bytes of the signature once decoded.
    pub signature_bytes: usize,
}

/// Opens `token`; `None` unless it has three dot-separated parts.
pub fn open(token: &str) -> Option<Opened> {
    let mut parts = token.split('.');
    let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let json = |part: &str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
    };
    Some(Opened {
        header: json(header),
        payload: json(payload),
        part_chars: [header.len(), payload.len(), signature.len()],
        signature_bytes: URL_SAFE_NO_PAD.decode(signature).map_or(0, |b| b.len()),
    })
}

/// One character of a payload changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tampered {
    /// The token with the change, for the server to check; never shown.
    pub token: String,
    /// Position of the changed character within the payload part.
    pub position: usize,
    pub was: char,
    pub now: char,
    /// The payload as it now decodes (lossy: a change may break a byte).
    pub payload: String,
}

/// `token` with one character of its payload changed, the way somebody
/// would try to raise their own privileges: the middle character, moved to
/// its neighbour in the base64url alphabet. A middle character always
/// decodes to different bytes (only the last one carries spare bits).
pub fn tamper(token: &str) -> Option<Tampered> {
    let mut parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 || parts[1].len() < 4 {
        return None;
    }
    let payload = parts[1];
    let position = payload.len() / 2;
    let was = payload[position..].chars().next()?;
    let now = if was == 'A' { 'B' } else { 'A' };
    let changed = format!(
        "{}{now}{}",
        &payload[..position],
        &payload[position + was.len_utf8()..]
    );
    parts[1] = &changed;
    let decoded = URL_SAFE_NO_PAD.decode(&changed).unwrap_or_default();
    Some(Tampered {
        token: parts.join("."),
        position,
        was,
        now,
        payload: String::from_utf8_lossy(&decoded).into_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(json: &str) -> String {
        URL_SAFE_NO_PAD.encode(json)
    }

    #[test]
    fn a_token_opens_into_its_header_and_claims() {
        let token = format!(
            "{}.{}.{}",
            part(r#"{"alg":"HS256","typ":"at+jwt"}"#),
            part(r#"{"sub":"u1","exp":10}"#),
            URL_SAFE_NO_PAD.encode([7u8; 32])
        );
        let opened = open(&token).unwrap();
        assert_eq!(opened.header.unwrap()["typ"], "at+jwt");
        assert_eq!(opened.payload.unwrap()["exp"], 10);
        assert_eq!(opened.signature_bytes, 32);
        assert_eq!(opened.part_chars.iter().sum::<usize>() + 2, token.len());
        assert!(open("a.b").is_none() && open("a.b.c.d").is_none());
    }

    #[test]
    fn tampering_changes_one_payload_character_and_the_decoded_bytes() {
        let payload = part(r#"{"sub":"u1","username":"alice","exp":10}"#);
        let token = format!("h.{payload}.s");
        let t = tamper(&token).unwrap();
        assert_ne!(t.token, token);
        assert_eq!(t.token.len(), token.len());
        let differing = token
            .chars()
            .zip(t.token.chars())
            .filter(|(a, b)| a != b)
            .count();
        assert_eq!(differing, 1);
        assert!(t.token.starts_with("h.") && t.token.ends_with(".s"));
        let original = String::from_utf8(URL_SAFE_NO_PAD.decode(&payload).unwrap()).unwrap();
        assert_ne!(t.payload, original);
        assert_ne!(t.was, t.now);
    }
}
