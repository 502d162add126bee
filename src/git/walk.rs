//! git's revision walk in its default order, in this process: what `git rev-list --parents
//! <to> [^<from>]` lists, read from the object store ([`super::packs`]) when there is no
//! commit-graph to walk (git then reads every commit of the range, and the messages would be
//! read a second time).
//!
//! The order is git's: a queue by committer date, newest first, commits of equal dates in the
//! order they were queued. A range (`^from`) is walked as git's `limit_list` walks it: to its
//! end (a commit found interesting may be marked uninteresting later, when an uninteresting
//! commit reaches it), stopping when only uninteresting commits are left in the queue and five
//! more have been taken, as git does (its allowance for clocks that were wrong); then the
//! commits still interesting, in the order taken.
//!
//! Only the plain case is walked here: no grafts, no replace refs, not shallow (the caller
//! checks). Anything this cannot read (a commit missing from the store, one that does not parse
//! as git parses it) ends the walk with `None`, and the caller asks git.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use gix_hash::ObjectId;

use super::packs::{ObjectStore, Reader};

const SEEN: u8 = 1;
const UNINTERESTING: u8 = 2;
/// Its parents were queued (git's ADDED).
const ADDED: u8 = 4;

/// How many more commits git takes once only uninteresting ones are left (git's SLOP).
const SLOP: u32 = 5;

/// A commit the walk has met: 40 bytes, as a walk of a million commits keeps a million of them
/// (git keeps as many, in more).
struct Node {
    id: ObjectId,
    date: u64,
    /// The first two parents; an octopus merge's are all in [`Walk::octopus`].
    parents: [u32; 2],
    /// [`UNREAD`] until the commit is read (its parents and date known, as git knows them once
    /// it is parsed), then its parent count.
    count: u8,
    flags: u8,
}

/// The parent count of a commit not read yet.
const UNREAD: u8 = u8::MAX;

/// A walk over one store.
pub(super) struct Walk<'a> {
    reader: Reader<'a>,
    nodes: Vec<Node>,
    /// Each node's position in `nodes`, found by its id.
    index: gix_hashtable::hash_table::HashTable<u32>,
    /// The parents of commits with more than two.
    octopus: std::collections::HashMap<u32, Box<[u32]>>,
    /// The whole commits read with their parents while interesting, until handed on.
    raw: std::collections::HashMap<u32, Box<[u8]>>,
    /// Taken newest date first; of equal dates, the first queued first.
    queue: BinaryHeap<(u64, Reverse<u64>, u32)>,
    queued: u64,
    /// The last commit found interesting in the queue (git's `interesting_cache`).
    interesting: Option<u32>,
    /// Whether interesting commits are read whole (their messages are wanted).
    messages: bool,
    buf: Vec<u8>,
}

impl<'a> Walk<'a> {
    pub fn new(store: &'a ObjectStore) -> Walk<'a> {
        Walk {
            reader: Reader::new(store),
            nodes: Vec::new(),
            index: Default::default(),
            octopus: Default::default(),
            raw: Default::default(),
            queue: BinaryHeap::new(),
            queued: 0,
            interesting: None,
            messages: true,
            buf: Vec::new(),
        }
    }

    /// Hands each commit reachable from `to` and not from `from` to `emit` (its id, its parent
    /// count and the whole commit), in git's default order, until `emit` returns false.
    ///
    /// A commit is handed on when the walk takes it, interesting: with `from`, a commit taken
    /// later may still mark one handed on uninteresting (commits of equal or skewed dates), as
    /// in git, which holds its answer until the walk ends. Returns the positions, in the order
    /// handed on, of those that are not in the answer after all (usually none). `None` when a
    /// commit could not be read here.
    pub fn run(
        mut self,
        to: ObjectId,
        from: Option<ObjectId>,
        mut emit: impl FnMut(&ObjectId, usize, &[u8]) -> bool,
    ) -> Option<Vec<usize>> {
        // The starting commits, newest first (git sorts them by date, stably).
        let mut starts = vec![(self.node(to), 0u8)];
        if let Some(from) = from {
            starts.push((self.node(from), UNINTERESTING));
        }
        for &(n, flags) in &starts {
            self.nodes[n as usize].flags |= flags;
            self.parse(n)?;
        }
        starts.sort_by_key(|&(n, _)| Reverse(self.nodes[n as usize].date));
        for (n, _) in starts {
            if self.nodes[n as usize].flags & SEEN == 0 {
                self.nodes[n as usize].flags |= SEEN;
                self.push(n);
            }
        }
        // git's `limit_list` (with nothing uninteresting, its plain walk takes the same commits
        // in the same order).
        let mut handed = Vec::new();
        let mut slop = SLOP;
        let mut date = u64::MAX;
        while let Some((_, _, n)) = self.queue.pop() {
            if self.interesting == Some(n) {
                self.interesting = None;
            }
            self.add_parents(n)?;
            if self.nodes[n as usize].flags & UNINTERESTING != 0 {
                self.mark_parents_uninteresting(n);
                slop = self.still_interesting(date, slop);
                if slop > 0 {
                    continue;
                }
                break;
            }
            date = self.nodes[n as usize].date;
            let raw = match self.raw.remove(&n) {
                Some(raw) => raw,
                None => {
                    let id = self.nodes[n as usize].id;
                    if !self.reader.commit(&id, &mut self.buf).ok()? {
                        return None;
                    }
                    self.buf.as_slice().into()
                }
            };
            if from.is_some() {
                handed.push(n);
            }
            let count = self.parents(n).len();
            if !emit(&self.nodes[n as usize].id, count, &raw) {
                break;
            }
        }
        Some(
            handed
                .iter()
                .enumerate()
                .filter(|&(_, &n)| self.nodes[n as usize].flags & UNINTERESTING != 0)
                .map(|(at, _)| at)
                .collect(),
        )
    }

    /// The commits reachable from `tip` as `git rev-list --topo-order --date-order <tip>`
    /// lists them: the walk takes them all (in date order), then git's
    /// `sort_in_topological_order` orders them: none before all its children, otherwise newest
    /// committer date first, ties in the order queued. Only headers are read. `None` when a
    /// commit could not be read here.
    pub fn topo_date_order(mut self, tip: ObjectId) -> Option<Vec<ObjectId>> {
        self.messages = false;
        let n = self.node(tip);
        self.parse(n)?;
        self.nodes[n as usize].flags |= SEEN;
        self.push(n);
        let mut list = Vec::new();
        while let Some((_, _, n)) = self.queue.pop() {
            self.add_parents(n)?;
            list.push(n);
        }
        // Each commit's count of children in the list, plus one.
        let mut indegree = vec![0u32; self.nodes.len()];
        for &n in &list {
            indegree[n as usize] = 1;
        }
        for &n in &list {
            for &p in self.parents(n) {
                if indegree[p as usize] != 0 {
                    indegree[p as usize] += 1;
                }
            }
        }
        let mut queue = BinaryHeap::new();
        let mut queued = 0u64;
        for &n in &list {
            if indegree[n as usize] == 1 {
                queue.push((self.nodes[n as usize].date, Reverse(queued), n));
                queued += 1;
            }
        }
        let mut sorted = Vec::with_capacity(list.len());
        while let Some((_, _, n)) = queue.pop() {
            for &p in self.parents(n) {
                let count = &mut indegree[p as usize];
                if *count == 0 {
                    continue;
                }
                *count -= 1;
                if *count == 1 {
                    queue.push((self.nodes[p as usize].date, Reverse(queued), p));
                    queued += 1;
                }
            }
            indegree[n as usize] = 0;
            sorted.push(self.nodes[n as usize].id);
        }
        Some(sorted)
    }

    /// git's `still_interesting`: how many more commits to take.
    fn still_interesting(&mut self, date: u64, slop: u32) -> u32 {
        let Some(&(newest, _, _)) = self.queue.peek() else {
            return 0;
        };
        if date <= newest {
            return SLOP;
        }
        let interesting = |n: u32| self.nodes[n as usize].flags & UNINTERESTING == 0;
        if self.interesting.is_some_and(interesting) {
            return SLOP;
        }
        self.interesting = self.queue.iter().map(|&(_, _, n)| n).find(|&n| interesting(n));
        if self.interesting.is_some() {
            return SLOP;
        }
        slop - 1
    }

    /// git's `process_parents`: each parent read and queued, unless seen; an uninteresting
    /// commit's parents marked uninteresting, with what they reach among the commits read.
    fn add_parents(&mut self, n: u32) -> Option<()> {
        if self.nodes[n as usize].flags & ADDED != 0 {
            return Some(());
        }
        self.nodes[n as usize].flags |= ADDED;
        let uninteresting = self.nodes[n as usize].flags & UNINTERESTING != 0;
        // By position: reading the parents leaves this commit's as they are.
        for at in 0..self.parents(n).len() {
            let p = self.parents(n)[at];
            if uninteresting {
                self.nodes[p as usize].flags |= UNINTERESTING;
            }
            self.parse(p)?;
            if uninteresting && !self.parents(p).is_empty() {
                self.mark_parents_uninteresting(p);
            }
            if self.nodes[p as usize].flags & SEEN == 0 {
                self.nodes[p as usize].flags |= SEEN;
                self.push(p);
            }
        }
        Some(())
    }

    /// git's `mark_parents_uninteresting`: down through the commits read so far.
    fn mark_parents_uninteresting(&mut self, n: u32) {
        // What is marked does not depend on the order marked in.
        let mut pending: Vec<u32> = self.parents(n).to_vec();
        while let Some(p) = pending.pop() {
            self.mark_one(p, &mut pending);
        }
    }

    fn mark_one(&mut self, n: u32, pending: &mut Vec<u32>) {
        let node = &mut self.nodes[n as usize];
        if node.flags & UNINTERESTING != 0 {
            return;
        }
        node.flags |= UNINTERESTING;
        pending.extend_from_slice(self.parents(n));
    }

    /// The parents of node `n` (none until it is read).
    fn parents(&self, n: u32) -> &[u32] {
        let node = &self.nodes[n as usize];
        match node.count {
            UNREAD => &[],
            0..=2 => &node.parents[..usize::from(node.count)],
            _ => self.octopus.get(&n).map_or(&[], |all| all),
        }
    }

    fn push(&mut self, n: u32) {
        self.queue.push((self.nodes[n as usize].date, Reverse(self.queued), n));
        self.queued += 1;
    }

    /// The node of `id`, made if new.
    fn node(&mut self, id: ObjectId) -> u32 {
        // Ids are uniformly distributed: their first bytes are a hash already.
        let hash = |id: &ObjectId| u64::from_le_bytes(id.as_bytes()[..8].try_into().unwrap_or_default());
        let nodes = &mut self.nodes;
        let entry = self.index.entry(
            hash(&id),
            |&n| nodes[n as usize].id == id,
            |&n| hash(&nodes[n as usize].id),
        );
        match entry {
            gix_hashtable::hash_table::Entry::Occupied(found) => *found.get(),
            gix_hashtable::hash_table::Entry::Vacant(vacant) => {
                let next = nodes.len() as u32;
                nodes.push(Node {
                    id,
                    date: 0,
                    parents: [0; 2],
                    count: UNREAD,
                    flags: 0,
                });
                vacant.insert(next);
                next
            }
        }
    }

    /// Reads commit `n` once: its parents and date.
    fn parse(&mut self, n: u32) -> Option<()> {
        if self.nodes[n as usize].count != UNREAD {
            return Some(());
        }
        let id = self.nodes[n as usize].id;
        // An uninteresting commit stays so: only its parents and date are read.
        let whole = self.messages && self.nodes[n as usize].flags & UNINTERESTING == 0;
        let mut buf = std::mem::take(&mut self.buf);
        let read = if whole {
            self.reader.commit(&id, &mut buf)
        } else {
            self.reader.commit_head(&id, &mut buf)
        };
        if !read.ok()? {
            return None;
        }
        let (parents, date) = parse_head(&buf)?;
        let parents: Vec<u32> = parents.into_iter().map(|p| self.node(p)).collect();
        let node = &mut self.nodes[n as usize];
        node.date = date;
        if parents.len() <= 2 {
            node.parents[..parents.len()].copy_from_slice(&parents);
            node.count = parents.len() as u8;
        } else {
            node.count = 3;
            self.octopus.insert(n, parents.into_boxed_slice());
        }
        if whole {
            self.raw.insert(n, buf.as_slice().into());
        }
        self.buf = buf;
        Some(())
    }
}

/// The parents and committer date of a commit, as git's `parse_commit_buffer` reads them from
/// the start of its object: `tree <hex>`, `parent <hex>` lines, then `author` and `committer`
/// (a date git cannot read is 0, as in git). `None` for what git refuses to parse.
fn parse_head(head: &[u8]) -> Option<(Vec<ObjectId>, u64)> {
    let mut rest = head.strip_prefix(b"tree ")?;
    if rest.len() < 41 || rest[40] != b'\n' || !rest[..40].iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    rest = &rest[41..];
    let mut parents = Vec::new();
    while let Some(line) = rest.strip_prefix(b"parent ") {
        // git wants something after the line, and reads no further than the object's end.
        if line.len() <= 41 || line[40] != b'\n' || !line[..40].iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        parents.push(ObjectId::from_hex(&line[..40]).ok()?);
        rest = &line[41..];
    }
    Some((parents, commit_date(rest)))
}

/// git's `parse_commit_date`: the number after the last `>` of the committer line, which must
/// follow the author line.
fn commit_date(buf: &[u8]) -> u64 {
    if !buf.starts_with(b"author") {
        return 0;
    }
    let Some(eol) = memchr::memchr(b'\n', buf) else {
        return 0;
    };
    let buf = &buf[eol + 1..];
    if buf.len() <= 9 || !buf.starts_with(b"committer") {
        return 0;
    }
    let Some(eol) = memchr::memchr(b'\n', buf) else {
        return 0;
    };
    let line = &buf[..eol];
    let Some(gt) = memchr::memrchr(b'>', line) else {
        return 0;
    };
    let mut date = &line[gt + 1..];
    while let Some((b' ' | b'\t' | b'\r', tail)) = date.split_first() {
        date = tail;
    }
    // A digit or a minus must come first; then strtoumax: digits, saturating, a minus negating
    // modulo 2^64.
    let (negative, digits) = match date.split_first() {
        Some((b'-', tail)) => (true, tail),
        Some((c, _)) if c.is_ascii_digit() => (false, date),
        _ => return 0,
    };
    let mut value: u64 = 0;
    for &c in digits.iter().take_while(|c| c.is_ascii_digit()) {
        value = match value.checked_mul(10).and_then(|v| v.checked_add(u64::from(c - b'0'))) {
            Some(v) => v,
            None => return u64::MAX,
        };
    }
    if negative { value.wrapping_neg() } else { value }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A walk keeps a node for every commit it meets (a million in a long history): 40 bytes.
    #[test]
    fn a_node_takes_40_bytes() {
        assert_eq!(std::mem::size_of::<Node>(), 40);
    }

    const TREE: &str = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n";
    const ID: &str = "0123456789abcdef0123456789abcdef01234567";

    fn head(rest: &str) -> Option<(Vec<ObjectId>, u64)> {
        parse_head(format!("{TREE}{rest}").as_bytes())
    }

    #[test]
    fn the_committer_date_is_read_as_git_reads_it() {
        let date = |committer: &str| {
            head(&format!("author A <a> 1 +0000\ncommitter {committer}\n\nm"))
                .unwrap()
                .1
        };
        assert_eq!(date("C <c> 1700000000 +0100"), 1_700_000_000);
        assert_eq!(date("C <c@x>  \t1700000000"), 1_700_000_000);
        // After the last `>`, whatever the name holds.
        assert_eq!(date("C <c> >x> 42 +0000"), 42);
        assert_eq!(date("C <c> 12abc"), 12);
        // strtoumax: a minus wraps; too many digits saturate.
        assert_eq!(date("C <c> -1 +0000"), u64::MAX);
        assert_eq!(date("C <c> 99999999999999999999999 +0000"), u64::MAX);
        // No number where git wants one: 0.
        assert_eq!(date("C <c> +5"), 0);
        assert_eq!(date("C <c> \x0c5"), 0);
        assert_eq!(date("C <c>"), 0);
        assert_eq!(date("C no email 5"), 0);
        // The committer line must follow the author line.
        assert_eq!(head("committer C <c> 5\n").unwrap().1, 0);
        assert_eq!(head("author A <a> 1\nencoding x\ncommitter C <c> 5\n").unwrap().1, 0);
    }

    #[test]
    fn parents_are_read_as_git_reads_them() {
        let (parents, date) = head(&format!(
            "parent {ID}\nparent {ID}\nauthor A <a> 1\ncommitter C <c> 7\n"
        ))
        .unwrap();
        assert_eq!(parents.len(), 2);
        assert_eq!(parents[0].to_string(), ID);
        assert_eq!(date, 7);
        assert!(head("author A <a> 1\ncommitter C <c> 7\n").unwrap().0.is_empty());
        // What git refuses to parse: a short or malformed tree or parent line, a parent line
        // that ends the object.
        assert_eq!(parse_head(b"tree 4b825dc\n"), None);
        assert_eq!(parse_head(b"parent x\n"), None);
        assert_eq!(head(&format!("parent {}\n", &ID[..39])), None);
        assert_eq!(head(&format!("parent {}g\nauthor", &ID[..39])), None);
        assert_eq!(head(&format!("parent {ID}\n")), None);
    }
}
