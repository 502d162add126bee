//! The keyword prefilter: one Aho-Corasick automaton over every rule's keywords, walked over
//! four parts of the text at once; for the hook's small texts, a table by first byte.
//!
//! A DFA walk is bound by the latency of one table load per byte: about 550 MB/s here, whatever
//! the search routine. Walking four parts of a text in lockstep keeps four independent loads in
//! flight: 1.3 GB/s on the same automaton, with the same hits (measured over the 158 MB tree of
//! bench/secrets.sh; README, "Performance"). Each part starts early by the longest keyword less
//! one byte, so a keyword that crosses a boundary is found, and it is reported only by the part
//! in which it ends.

use aho_corasick::automaton::Automaton;
use std::sync::OnceLock;

use aho_corasick::{Anchored, BuildError, MatchKind, dfa, nfa::noncontiguous};

/// Parts walked in lockstep (the walk below zips exactly four; measured: two parts 1.07 GB/s,
/// four 1.3 GB/s, six and eight slower again, for want of registers).
const PARTS: usize = 4;
const _: () = assert!(PARTS == 4);
/// Below this many bytes per part, one walk is as fast.
const MIN_PART: usize = 256;

pub enum Keywords {
    /// For the hook: a few KB of added lines are searched through a table of the keywords by
    /// their first byte, with nothing to build; the automaton is built (once) only for a text
    /// that is large enough to pay for it. Building the NFA over the built-in keywords costs
    /// more than searching a typical commit's added lines this way (callgrind: 3.2 million
    /// instructions against about 0.2 million for 50 lines; bench/hooks-vs-base.sh).
    Small(Small),
    /// Slower to build (1.2 ms), about 2.7 times faster to walk: for trees and history.
    Dfa(dfa::DFA),
}

/// Above this many bytes, one call walks the automaton instead of the first-byte table (the
/// table costs about 90 instructions a byte, the NFA about 10 plus 3.2 million to build).
const SMALL_TEXT: usize = 32 * 1024;

pub struct Small {
    /// The keywords, lower-case (ASCII).
    patterns: Vec<Box<[u8]>>,
    /// Keyword indexes ordered by (first byte, index); `by_first[b]` is the range starting `b`.
    order: Vec<u32>,
    by_first: Box<[(u32, u32); 256]>,
    nfa: OnceLock<Result<noncontiguous::NFA, BuildError>>,
}

impl Small {
    fn new(patterns: &[String]) -> Small {
        let lower: Vec<Box<[u8]>> = patterns
            .iter()
            .map(|p| p.to_ascii_lowercase().into_bytes().into())
            .collect();
        let mut order: Vec<u32> = (0..lower.len() as u32)
            .filter(|&i| !lower[i as usize].is_empty())
            .collect();
        order.sort_by_key(|&i| (lower[i as usize][0], i));
        let mut by_first = Box::new([(0u32, 0u32); 256]);
        for (at, &i) in order.iter().enumerate() {
            let b = lower[i as usize][0] as usize;
            if by_first[b].1 == 0 {
                by_first[b].0 = at as u32;
            }
            by_first[b].1 = at as u32 + 1;
        }
        Small {
            patterns: lower,
            order,
            by_first,
            nfa: OnceLock::new(),
        }
    }

    fn find_all(&self, text: &[u8]) -> Vec<(usize, usize)> {
        if text.len() > SMALL_TEXT {
            let built = self.nfa.get_or_init(|| {
                noncontiguous::Builder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .build(self.patterns.iter().map(|p| &p[..]))
            });
            if let Ok(nfa) = built {
                return find_all(nfa, text);
            }
        }
        let mut hits = Vec::new();
        for (at, &b) in text.iter().enumerate() {
            let (from, to) = self.by_first[b.to_ascii_lowercase() as usize];
            for &i in &self.order[from as usize..to as usize] {
                let k = &self.patterns[i as usize];
                if let Some(rest) = text.get(at + 1..at + k.len())
                    && rest.eq_ignore_ascii_case(&k[1..])
                {
                    hits.push((at, i as usize));
                }
            }
        }
        hits
    }
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
            Keywords::Small(Small::new(patterns))
        })
    }

    /// Every occurrence of every keyword in `text`, overlapping ones included, as (start,
    /// pattern index), ordered by start.
    pub fn find_all(&self, text: &[u8]) -> Vec<(usize, usize)> {
        match self {
            Keywords::Small(s) => s.find_all(text),
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
        for repeat in [1, 3, 150, 151, 400, 600] {
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
