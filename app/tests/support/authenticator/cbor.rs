//! Just enough CBOR (RFC 8949) for the two fixed shapes written here, the
//! COSE key and the attestation object; a CBOR crate would be a dependency
//! for a few dozen bytes.

const UNSIGNED: u8 = 0;
const NEGATIVE: u8 = 1;
const BYTES: u8 = 2;
const TEXT: u8 = 3;
const MAP: u8 = 5;

/// Initial byte plus the shortest argument encoding, as canonical CBOR requires.
fn head(out: &mut Vec<u8>, major: u8, value: u64) {
    let be = value.to_be_bytes();
    // Values up to 23 live in the initial byte; larger ones follow it in 1, 2, 4 or 8 bytes.
    let (additional, width) = match value {
        0..=23 => (be[7], 0),
        24..=0xff => (24, 1),
        0x100..=0xffff => (25, 2),
        0x1_0000..=0xffff_ffff => (26, 4),
        _ => (27, 8),
    };
    out.push((major << 5) | additional);
    out.extend_from_slice(&be[8 - width..]);
}

pub(super) fn int(out: &mut Vec<u8>, value: i64) {
    if value >= 0 {
        head(out, UNSIGNED, value.unsigned_abs());
    } else {
        // CBOR stores a negative n as -1 - n.
        head(out, NEGATIVE, (-1 - value).unsigned_abs());
    }
}

pub(super) fn bytes(out: &mut Vec<u8>, data: &[u8]) {
    head(out, BYTES, data.len() as u64);
    out.extend_from_slice(data);
}

pub(super) fn text(out: &mut Vec<u8>, data: &str) {
    head(out, TEXT, data.len() as u64);
    out.extend_from_slice(data.as_bytes());
}

pub(super) fn map_header(out: &mut Vec<u8>, pairs: u64) {
    head(out, MAP, pairs);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cbor_heads_are_shortest() {
        let mut out = Vec::new();
        int(&mut out, -7);
        int(&mut out, 24);
        int(&mut out, -25);
        int(&mut out, 1000);
        assert_eq!(out, [0x26, 0x18, 0x18, 0x38, 0x18, 0x19, 0x03, 0xe8]);
    }
}
