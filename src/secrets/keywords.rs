//! The keyword prefilter: one Aho-Corasick automaton over every rule's keywords, walked over
//! four parts of the text at once.
//!
//! A DFA walk is bound by the latency of one table load per byte: about 550 MB/s here, whatever
//! the search routine. Walking four parts of a text in lockstep keeps four independent loads in
//! flight: 1.3 GB/s on the same automaton, with the same hits (measured over the 158 MB tree of
//! bench/secrets.sh; README, "Performance"). Each part starts early by the longest keyword less
//! one byte, so a keyword that crosses a boundary is found, and it is reported only by the part
//! in which it ends.

use aho_corasick::automaton::Automaton;
use aho_corasick::{Anchored, BuildError, MatchKind, dfa, nfa::noncontiguous};

/// Parts walked in lockstep (the walk below zips exactly four; measured: two parts 1.07 GB/s,
/// four 1.3 GB/s, six and eight slower again, for want of registers).
const PARTS: usize = 4;
const _: () = assert!(PARTS == 4);
/// Below this many bytes per part, one walk is as fast.
const MIN_PART: usize = 256;

pub enum Keywords {
    /// Quick to build (0.26 ms for the built-in keywords), slower to walk: for the hook.
    Nfa(noncontiguous::NFA),
    /// Slower to build (1.2 ms), about 2.7 times faster to walk: for trees and history.
    Dfa(dfa::DFA),
}

impl Keywords {
    /// An automaton over `patterns`, matched ASCII case-insensitively.
    pub fn new(patterns: &[String], bulk: bool) -> Result<Keywords, BuildError> {
        Ok(if bulk {
            Keywords::Dfa(
                dfa::Builder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .build(patterns)?,
            )
        } else {
            Keywords::Nfa(
                noncontiguous::Builder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .build(patterns)?,
            )
        })
    }

    /// Every occurrence of every keyword in `text`, overlapping ones included, as (start,
    /// pattern index), ordered by start.
    pub fn find_all(&self, text: &[u8]) -> Vec<(usize, usize)> {
        match self {
            Keywords::Nfa(a) => find_all(a, text),
            Keywords::Dfa(a) => find_all(a, text),
        }
    }
}

fn find_all<A: Automaton>(aut: &A, text: &[u8]) -> Vec<(usize, usize)> {
    let mut hits = Vec::new();
    let Ok(start) = aut.start_state(Anchored::No) else {
        return hits;
    };
    let part = text.len() / PARTS;
    if part < MIN_PART {
        let mut sid = start;
        for (at, &b) in text.iter().enumerate() {
            sid = aut.next_state(Anchored::No, sid, b);
            if aut.is_special(sid) {
                report(aut, sid, at, &mut hits);
            }
        }
        return hits;
    }
    let overlap = aut.max_pattern_len().saturating_sub(1);
    let owned: [usize; PARTS] = std::array::from_fn(|j| j * part);
    let begin: [usize; PARTS] = std::array::from_fn(|j| owned[j].saturating_sub(overlap));
    let end: [usize; PARTS] = std::array::from_fn(|j| if j + 1 == PARTS { text.len() } else { owned[j + 1] });
    let mut sids = [start; PARTS];
    let common = (0..PARTS).map(|j| end[j] - begin[j]).min().unwrap_or(0);
    let parts: [&[u8]; PARTS] = std::array::from_fn(|j| &text[begin[j]..begin[j] + common]);
    let lockstep = parts[0]
        .iter()
        .zip(parts[1])
        .zip(parts[2])
        .zip(parts[3])
        .map(|(((a, b), c), d)| [*a, *b, *c, *d]);
    for (i, bytes) in lockstep.enumerate() {
        for j in 0..PARTS {
            sids[j] = aut.next_state(Anchored::No, sids[j], bytes[j]);
            if aut.is_special(sids[j]) && begin[j] + i >= owned[j] {
                report(aut, sids[j], begin[j] + i, &mut hits);
            }
        }
    }
    // What is left of the parts that are longer than the shortest.
    for (j, sid) in sids.iter_mut().enumerate() {
        let from = begin[j] + common;
        for (at, &b) in text[from..end[j]].iter().enumerate().map(|(i, b)| (from + i, b)) {
            *sid = aut.next_state(Anchored::No, *sid, b);
            if aut.is_special(*sid) && at >= owned[j] {
                report(aut, *sid, at, &mut hits);
            }
        }
    }
    hits.sort_unstable();
    hits
}

/// Records the keywords that end at `at`, where the walk reached the special state `sid` (a
/// match, or the start state). Kept out of the walk so that its loop stays in registers.
#[inline(never)]
fn report<A: Automaton>(aut: &A, sid: aho_corasick::automaton::StateID, at: usize, hits: &mut Vec<(usize, usize)>) {
    if aut.is_match(sid) {
        for i in 0..aut.match_len(sid) {
            let pattern = aut.match_pattern(sid, i);
            hits.push((at + 1 - aut.pattern_len(pattern), pattern.as_usize()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every way of walking finds exactly what the crate's own overlapping search finds.
    #[test]
    fn the_same_hits_as_an_overlapping_search() {
        let patterns: Vec<String> = [
            "ghp_",
            "key",
            "api_key",
            "token",
            "secret",
            "xoxb-",
            "begin private key",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let reference = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .unwrap();
        // Short and long texts (one walk, four parts), keywords at part boundaries, overlaps.
        let unit = "let API_KEY = token; // ghp_x xoxb-1 SecretKey BEGIN PRIVATE KEY\n";
        for repeat in [1, 3, 150, 151, 400] {
            let mut text = unit.repeat(repeat);
            text.insert_str(text.len() / 2, "api_key");
            let mut expected: Vec<(usize, usize)> = reference
                .find_overlapping_iter(&text)
                .map(|m| (m.start(), m.pattern().as_usize()))
                .collect();
            expected.sort_unstable();
            for bulk in [false, true] {
                let found = Keywords::new(&patterns, bulk).unwrap().find_all(text.as_bytes());
                assert_eq!(found, expected, "repeat {repeat}, bulk {bulk}");
            }
        }
    }
}
