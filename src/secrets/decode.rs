//! Encoded runs: base64 (standard and URL-safe), hex and percent-encoding, found cheaply and
//! decoded so the scanner can look inside them (a Kubernetes Secret's `data:` values, a CI
//! variable, a token in a URL), after gitleaks' `detect/codec`.
//!
//! Finding the runs must cost next to nothing on a text that holds none: runs of the base64
//! alphabet (which holds the hex one) of at least [`MIN_RUN`] characters are found by probing
//! every [`MIN_RUN`]th byte, as a Boyer-Moore search skips; only a probe that lands in the
//! alphabet looks around it. Percent escapes are looked for only in a text with a `%`.
//!
//! A run is decoded only when its result is printable text (ASCII or UTF-8, with tabs and line
//! breaks): images, hashes and compressed data are dropped at their first unprintable byte. The
//! decoded bytes per text are capped ([`MAX_DECODED`]) and the caller bounds the depth.

/// The shortest base64 run decoded: 20 characters are 15 bytes, shorter than any token format.
pub const MIN_RUN: usize = 20;
/// The shortest hex run decoded (16 bytes); SHA-1 and SHA-256 digests are longer but do not
/// decode to text.
pub const MIN_HEX: usize = 32;
/// A longer run is not decoded (a whole file in base64 is not a secret's encoding).
pub const MAX_RUN: usize = 256 * 1024;
/// Decoded bytes per scanned text, all depths together.
pub const MAX_DECODED: usize = 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Base64,
    Hex,
    Percent,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Base64 => "base64",
            Encoding::Hex => "hex",
            Encoding::Percent => "percent",
        }
    }
}

/// An encoded run of a text and what it decodes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub start: usize,
    pub end: usize,
    pub encoding: Encoding,
    pub decoded: Vec<u8>,
}

/// The text's lines that hold encoded runs, each run replaced by what it decodes to (the rest of
/// the line kept, so a rule sees the key a value is assigned to), one line after the other.
#[derive(Debug, Default)]
pub struct Expanded {
    pub text: Vec<u8>,
    /// Where each segment's decoded bytes are in `text`: (start, end, index of the segment).
    pub pieces: Vec<(usize, usize, usize)>,
}

/// Bytes of the base64 alphabets, standard and URL-safe together.
const fn alphabet() -> [bool; 256] {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'+' || c == b'/' || c == b'-' || c == b'_';
        b += 1;
    }
    t
}
static ALPHABET: [bool; 256] = alphabet();

/// The encoded runs of `text` that decode to printable text, in order and not overlapping.
/// `budget` is what may still be decoded; each decoded run takes its length from it.
pub fn segments(text: &[u8], budget: &mut usize) -> Vec<Segment> {
    let mut out = Vec::new();
    if *budget == 0 {
        return out;
    }
    // Percent-encoding first: a URL holds runs of the base64 alphabet between its escapes,
    // which are decoded (at the next depth) once the escapes are.
    if text.contains(&b'%') {
        percent_segments(text, budget, &mut out);
    }
    let taken = out.len();
    for (start, end) in runs(text) {
        if out[..taken].iter().any(|s| s.start < end && start < s.end) {
            continue;
        }
        // Padding belongs to the run.
        let padded = end + text[end..].iter().take(2).take_while(|&&b| b == b'=').count();
        if let Some(segment) = decode_run(text, start, end, padded, budget) {
            out.push(segment);
        } else if text[start..end].iter().any(|b| b"-_".contains(b)) {
            // `key_<base64>`: the parts between `-` and `_`, each in the standard alphabet.
            let mut at = start;
            for part in text[start..end].split(|b| b"-_".contains(b)) {
                let (s, e) = (at, at + part.len());
                at = e + 1;
                let p = if e == end { padded } else { e };
                if e - s >= MIN_RUN
                    && let Some(segment) = decode_run(text, s, e, p, budget)
                {
                    out.push(segment);
                }
            }
        }
    }
    out.sort_by_key(|s| s.start);
    out
}

/// Runs of at least [`MIN_RUN`] bytes of the base64 alphabet, as (start, end).
fn runs(text: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    // Invariant: the byte before `i` (if any) is not in the alphabet, so a run that reaches
    // back to `i` starts there.
    let mut i = 0;
    while i + MIN_RUN <= text.len() {
        let probe = i + MIN_RUN - 1;
        if !ALPHABET[usize::from(text[probe])] {
            // No run of MIN_RUN bytes can start in i..=probe.
            i = probe + 1;
            continue;
        }
        let mut start = probe;
        while start > i && ALPHABET[usize::from(text[start - 1])] {
            start -= 1;
        }
        let mut end = probe + 1;
        while end < text.len() && ALPHABET[usize::from(text[end])] {
            end += 1;
        }
        if end - start >= MIN_RUN && end - start <= MAX_RUN {
            out.push((start, end));
        }
        i = end + 1;
    }
    out
}

/// `text[start..end]` (plus its padding up to `padded`) decoded as hex or base64, if it is
/// printable text.
fn decode_run(text: &[u8], start: usize, end: usize, padded: usize, budget: &mut usize) -> Option<Segment> {
    let run = &text[start..end];
    let hex = run.iter().all(u8::is_ascii_hexdigit);
    let (encoding, decoded, end) = if hex {
        // A hex run is base64 too; it is read as hex only (a digest is neither).
        if run.len() < MIN_HEX || run.len() % 2 != 0 || !run.iter().any(u8::is_ascii_digit) {
            return None;
        }
        (Encoding::Hex, decode_hex(run)?, end)
    } else {
        // Most runs (identifiers, paths) are not text in base64: their first four characters
        // decode to an unprintable byte already (both alphabets give them the same values).
        if !first_byte_printable(run) {
            return None;
        }
        // As gitleaks: base64 of text almost always holds a digit or a symbol; a long identifier
        // in letters only is not tried.
        if !run.iter().any(|b| b.is_ascii_digit() || b"+/-_".contains(b)) {
            return None;
        }
        (Encoding::Base64, decode_base64(run)?, padded)
    };
    if decoded.len() > *budget || std::str::from_utf8(&decoded).is_err() {
        return None;
    }
    *budget -= decoded.len();
    Some(Segment {
        start,
        end,
        encoding,
        decoded,
    })
}

/// The base64 value of each byte of both alphabets; 64 for any other byte.
const fn values() -> [u8; 256] {
    let mut t = [64u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => 64,
        };
        b += 1;
    }
    t
}
static VALUES: [u8; 256] = values();

/// Whether the first byte `run` decodes to is printable: the cheap test that drops most runs
/// (identifiers, paths) before anything else is done with them.
fn first_byte_printable(run: &[u8]) -> bool {
    let (a, b) = (VALUES[usize::from(run[0])], VALUES[usize::from(run[1])]);
    a < 64 && b < 64 && printable(a << 2 | b >> 4)
}

/// Tab, line breaks, the printable ASCII characters, and the bytes of UTF-8 beyond ASCII (the
/// whole is checked to be UTF-8 after).
fn printable(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\r' | 0x20..=0x7e | 0x80..)
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Hex digits (an even number of them) to bytes; `None` at the first unprintable byte.
pub fn decode_hex(run: &[u8]) -> Option<Vec<u8>> {
    if run.len() % 2 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(run.len() / 2);
    for pair in run.chunks_exact(2) {
        let b = hex_value(pair[0])? << 4 | hex_value(pair[1])?;
        if !printable(b) {
            return None;
        }
        out.push(b);
    }
    Some(out)
}

/// Base64 in the standard alphabet (`+/`) or the URL-safe one (`-_`), padded or not (the run
/// holds no `=`); `None` for a run in both alphabets, of an impossible length, or at the first
/// unprintable byte.
pub fn decode_base64(run: &[u8]) -> Option<Vec<u8>> {
    let standard = run.iter().any(|b| b"+/".contains(b));
    let url_safe = run.iter().any(|b| b"-_".contains(b));
    if (standard && url_safe) || run.len() % 4 == 1 {
        return None;
    }
    let value = |b: u8| -> Option<u32> {
        Some(u32::from(match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        }))
    };
    let mut out = Vec::with_capacity(run.len() / 4 * 3 + 2);
    for quad in run.chunks(4) {
        let mut n = 0u32;
        for &b in quad {
            n = n << 6 | value(b)?;
        }
        // 2, 3 or 4 characters hold 1, 2 or 3 bytes.
        let bytes = quad.len() - 1;
        n <<= 6 * (4 - quad.len());
        for k in 0..bytes {
            let b = (n >> (16 - 8 * k)) as u8;
            if !printable(b) {
                return None;
            }
            out.push(b);
        }
    }
    Some(out)
}

/// Stretches of a text between spaces and quotes that hold `%XX` escapes, each decoded whole
/// (`https%3A%2F%2Fu%3Aghp_…%40host`, `token=ghp%5F…`).
fn percent_segments(text: &[u8], budget: &mut usize, out: &mut Vec<Segment>) {
    let delimiter = |b: u8| b.is_ascii_whitespace() || b"\"'`<>()[]{},;".contains(&b);
    let mut from = 0;
    while let Some(at) = memchr::memchr(b'%', &text[from..]).map(|p| from + p) {
        if !(at + 2 < text.len() && text[at + 1].is_ascii_hexdigit() && text[at + 2].is_ascii_hexdigit()) {
            from = at + 1;
            continue;
        }
        let start = text[..at].iter().rposition(|&b| delimiter(b)).map_or(0, |i| i + 1);
        let end = text[at..]
            .iter()
            .position(|&b| delimiter(b))
            .map_or(text.len(), |i| at + i);
        from = end;
        if end - start > MAX_RUN {
            continue;
        }
        if let Some(decoded) = decode_percent(&text[start..end])
            && decoded.len() <= *budget
            && std::str::from_utf8(&decoded).is_ok()
        {
            *budget -= decoded.len();
            out.push(Segment {
                start,
                end,
                encoding: Encoding::Percent,
                decoded,
            });
        }
    }
}

/// `%XX` escapes to their bytes, the rest kept (`+` too: it is a space only in form bodies);
/// `None` at an unprintable byte.
pub fn decode_percent(s: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'%'
            && i + 2 < s.len()
            && let (Some(h), Some(l)) = (hex_value(s[i + 1]), hex_value(s[i + 2]))
        {
            let b = h << 4 | l;
            if !printable(b) {
                return None;
            }
            out.push(b);
            i += 3;
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    Some(out)
}

/// The lines of `text` that hold `segments` (in order, not overlapping, none spanning lines),
/// each with its segments decoded in place.
pub fn expand(text: &[u8], segments: &[Segment]) -> Expanded {
    let mut out = Expanded::default();
    let mut i = 0;
    while i < segments.len() {
        let line_start = text[..segments[i].start]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let line_end = text[segments[i].end..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(text.len(), |p| segments[i].end + p);
        let mut at = line_start;
        while i < segments.len() && segments[i].end <= line_end {
            let s = &segments[i];
            out.text.extend_from_slice(&text[at..s.start]);
            let piece = out.text.len();
            out.text.extend_from_slice(&s.decoded);
            out.pieces.push((piece, out.text.len(), i));
            at = s.end;
            i += 1;
        }
        out.text.extend_from_slice(&text[at..line_end]);
        out.text.push(b'\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(text: &str) -> Vec<(String, Encoding)> {
        segments(text.as_bytes(), &mut MAX_DECODED.clone())
            .into_iter()
            .map(|s| (String::from_utf8(s.decoded).unwrap(), s.encoding))
            .collect()
    }

    /// The cases of gitleaks' decoder tests (detect/codec/decoder_test.go).
    #[test]
    fn base64_runs_in_context() {
        for (text, want) in [
            ("bG9uZ2VyLWVuY29kZWQtc2VjcmV0LXRlc3Q=", "longer-encoded-secret-test"),
            (
                "token: bG9uZ2VyLWVuY29kZWQtc2VjcmV0LXRlc3Q=",
                "longer-encoded-secret-test",
            ),
            ("some-encoded-secret=dGVzdC1zZWNyZXQtdmFsdWU=", "test-secret-value"),
            (
                "some-encoded-secret=\"bG9uZ2VyLWVuY29kZWQtc2VjcmV0LXRlc3Q=\"",
                "longer-encoded-secret-test",
            ),
            (
                "but only dGhpcyBlbmNhcHN1bGF0ZWQgc2VjcmV0 should be",
                "this encapsulated secret",
            ),
            // URL-safe, unpadded.
            (
                "token: bG9uZ2VyLWVuY29kZWQtc2VjcmV0LXRlc3Q",
                "longer-encoded-secret-test",
            ),
            ("Z2l0bGVha3M-PmZpbmRzLXNlY3JldHM", "gitleaks>>finds-secrets"),
            (
                "YjY0dXJsc2FmZS10ZXN0LXNlY3JldC11bmRlcnNjb3Jlcz8_",
                "b64urlsafe-test-secret-underscores??",
            ),
            // Glued to a name by `_`.
            (
                "secret_bG9uZ2VyLWVuY29kZWQtc2VjcmV0LXRlc3Q=",
                "longer-encoded-secret-test",
            ),
        ] {
            assert_eq!(decoded(text), vec![(want.to_string(), Encoding::Base64)], "{text}");
        }
    }

    #[test]
    fn hex_and_percent() {
        assert_eq!(
            decoded("secret=\"466973684D617048756E6B79212121363334\""),
            vec![("FishMapHunky!!!634".to_string(), Encoding::Hex)]
        );
        assert_eq!(
            decoded("secret%3D%22q%24%21%40%23%24%25%5E%26%2A%28%20asdf%22"),
            vec![("secret=\"q$!@#$%^&*( asdf\"".to_string(), Encoding::Percent)]
        );
        assert_eq!(
            decoded("see https%3A%2F%2Fu%3Apw%40h.io now"),
            vec![("https://u:pw@h.io".to_string(), Encoding::Percent)]
        );
    }

    #[test]
    fn what_is_not_decoded() {
        for text in [
            // A git object id and a SHA-256 digest: hex, but not text.
            "a3d3fa7c2bb99e469ba55e5834ce79ee4853a8a3",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            // A UUID: its parts are too short.
            "79a3edd0-2092-40a2-a04d-dcb46d5ca9ed",
            // The start of a PNG, and random bytes.
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
            "q83vEjK5+2Lm0Pz9Yt7Rw4Xa1Sd6Fg8Hb==",
            // Identifiers, paths, format strings, short runs.
            "SOME_VERY_LONG_CONSTANT_NAME_FOR_A_THING",
            "thisIsAVeryLongIdentifierWithoutDigits",
            "src/secrets/decode/a_module_path/file",
            "printf(\"%02x%02x\", a, b); 100%",
            "dGVzdA==",
        ] {
            assert!(decoded(text).is_empty(), "{text}: {:?}", decoded(text));
        }
    }

    #[test]
    fn runs_are_found_at_every_offset() {
        let run = "A".repeat(MIN_RUN);
        for pad in 0..MIN_RUN + 2 {
            let text = format!("{} {run} {}", "x.".repeat(pad), ".y".repeat(pad));
            let start = 2 * pad + 1;
            assert_eq!(runs(text.as_bytes()), vec![(start, start + MIN_RUN)], "{pad}");
        }
        assert!(runs("A".repeat(MIN_RUN - 1).as_bytes()).is_empty());
        assert_eq!(runs(format!("{run}=.{run}").as_bytes()), vec![(0, 20), (22, 42)]);
    }

    #[test]
    fn the_budget_bounds_decoding() {
        let text = "a: bG9uZ2VyLWVuY29kZWQtc2VjcmV0LXRlc3Q= b: dGVzdC1zZWNyZXQtdmFsdWU=";
        let mut budget = 30;
        let found = segments(text.as_bytes(), &mut budget);
        assert_eq!(found.len(), 1);
        assert_eq!(budget, 30 - 26);
    }

    #[test]
    fn expansion_keeps_the_line_around_the_run() {
        let text = b"x: 1\ntoken: bG9uZ2VyLWVuY29kZWQtc2VjcmV0LXRlc3Q= # note\ny: 2\n";
        let segs = segments(text, &mut MAX_DECODED.clone());
        let e = expand(text, &segs);
        assert_eq!(
            String::from_utf8(e.text.clone()).unwrap(),
            "token: longer-encoded-secret-test # note\n"
        );
        assert_eq!(e.pieces, vec![(7, 33, 0)]);
        assert_eq!(
            &text[segs[0].start..segs[0].end],
            b"bG9uZ2VyLWVuY29kZWQtc2VjcmV0LXRlc3Q="
        );
    }
}
