//! git's revision walk in its default order, in this process: what `git rev-list --parents
//! <to> [^<from>]` lists, read from the object store ([`super::packs`]), each commit once (its
//! message handed on as it is read).
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
//!
//! What it keeps does not grow with the range: a byte of flags per object in the packs (pages of
//! zeros until the walk reaches them), and the parents and date of the commits in its queue
//! only (git keeps every commit it parsed, and this walk did too, 50 bytes each: 147 MB at the
//! peak over 1,200,000 commits, 16 MB now).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::hash::BuildHasherDefault;

use gix_hash::{ObjectId, oid};

use super::packs::{ObjectStore, Reader};

const SEEN: u8 = 1;
const UNINTERESTING: u8 = 2;
/// Its parents were queued (git's ADDED).
const ADDED: u8 = 4;
/// It was read once (git's `parsed`): its parents have numbers, and flags go down to them.
const PARSED: u8 = 8;

/// How many more commits git takes once only uninteresting ones are left (git's SLOP).
const SLOP: u32 = 5;

/// What the walk knows of a commit it has read and not yet taken from the queue: 24 bytes.
/// Once taken, a commit keeps only its flags; should an uninteresting commit reach it later
/// (dates out of order), its parents are read again. So memory follows the walk's front, not
/// the length of history: what a million commits leave behind is a byte each.
#[derive(Clone, Copy)]
struct Read {
    date: u64,
    /// The first two parents; an octopus merge's are all in [`Walk::octopus`].
    parents: [u32; 2],
    count: u8,
    /// A topological sort's count of children not yet placed, plus one (0: placed).
    children: u32,
}

/// Hashes commit numbers, which are dense and distinct: one multiply (the high bits mixed, as
/// the table's control bytes want them).
#[derive(Default, Clone, Copy)]
struct NumberHasher(u64);

impl std::hash::Hasher for NumberHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type ByNumber<V> = HashMap<u32, V, BuildHasherDefault<NumberHasher>>;

/// A walk over one store. Commits are known by number: a packed commit by its place in the
/// packs' indexes ([`ObjectStore::number`], whose ids stay there), a loose one after those.
pub(super) struct Walk<'a> {
    store: &'a ObjectStore,
    reader: Reader<'a>,
    /// Each numbered object's flags (zeroed pages, made resident as the walk reaches them).
    flags: Vec<u8>,
    /// The packed objects' count: the first loose commit's number.
    packed: u32,
    loose: gix_hashtable::HashMap<ObjectId, u32>,
    loose_ids: Vec<ObjectId>,
    /// The commits read and not yet taken (all of them with [`Walk::keep`]).
    read: ByNumber<Read>,
    /// The parents of commits with more than two, as long as [`Walk::read`] holds them.
    octopus: ByNumber<Box<[u32]>>,
    /// The whole commits read with their parents while interesting, until handed on.
    raw: ByNumber<Box<[u8]>>,
    /// The ids of commits queued, from their children (a read index would be read again); not
    /// with [`Walk::keep`], where the ids are read from the index at the end.
    ids: ByNumber<ObjectId>,
    /// Whether what is known of a commit is kept once it is taken (a topological sort wants it).
    keep: bool,
    /// Taken newest date first; of equal dates, the first queued first.
    queue: BinaryHeap<(u64, Reverse<u64>, u32)>,
    queued: u64,
    /// The last commit found interesting in the queue (git's `interesting_cache`).
    interesting: Option<u32>,
    /// Whether interesting commits are read whole (their messages are wanted).
    messages: bool,
    /// Dates from here on end the walk (git then walks): a commit-graph keeps 34 bits of a
    /// date, and git orders the commits it holds by those.
    dates_below: u64,
    buf: Vec<u8>,
}

impl<'a> Walk<'a> {
    pub fn new(store: &'a ObjectStore) -> Walk<'a> {
        let packed = store.packed_count();
        Walk {
            store,
            reader: Reader::new(store),
            flags: vec![0; packed as usize],
            packed,
            loose: Default::default(),
            loose_ids: Vec::new(),
            read: Default::default(),
            octopus: Default::default(),
            raw: Default::default(),
            ids: Default::default(),
            keep: false,
            queue: BinaryHeap::new(),
            queued: 0,
            interesting: None,
            messages: true,
            // With a commit-graph git takes the dates of the commits it holds from there, cut
            // to 34 bits: a commit dated past 2514 (or before 1970, which reads as a date past
            // that) ends this walk, and git walks instead.
            dates_below: if store.has_commit_graph() { 1 << 34 } else { u64::MAX },
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
        mut emit: impl FnMut(&oid, usize, &[u8]) -> bool,
    ) -> Option<Vec<usize>> {
        // The starting commits, newest first (git sorts them by date, stably).
        let mut starts = vec![(self.number(&to), 0u8)];
        if let Some(from) = from {
            starts.push((self.number(&from), UNINTERESTING));
        }
        for &(n, flags) in &starts {
            self.flags[n as usize] |= flags;
            self.parse(n)?;
        }
        starts.sort_by_key(|&(n, _)| Reverse(self.read[&n].date));
        for (n, _) in starts {
            if self.flags[n as usize] & SEEN == 0 {
                self.flags[n as usize] |= SEEN;
                self.push(n);
            }
        }
        // git's `limit_list` (with nothing uninteresting, its plain walk takes the same commits
        // in the same order).
        let mut handed = Vec::new();
        let mut slop = SLOP;
        let mut date = u64::MAX;
        while let Some((taken, _, n)) = self.queue.pop() {
            if self.interesting == Some(n) {
                self.interesting = None;
            }
            self.add_parents(n)?;
            if self.flags[n as usize] & UNINTERESTING != 0 {
                self.mark_parents_uninteresting(n)?;
                self.forget(n);
                self.raw.remove(&n);
                slop = self.still_interesting(date, slop);
                if slop > 0 {
                    continue;
                }
                break;
            }
            date = taken;
            let count = self.parents(n).len();
            let id = self.id(n)?;
            self.forget(n);
            let raw = match self.raw.remove(&n) {
                Some(raw) => raw,
                None => {
                    self.read_commit(n, true)?;
                    self.buf.as_slice().into()
                }
            };
            if from.is_some() {
                handed.push(n);
            }
            if !emit(&id, count, &raw) {
                break;
            }
        }
        Some(
            handed
                .iter()
                .enumerate()
                .filter(|&(_, &n)| self.flags[n as usize] & UNINTERESTING != 0)
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
        self.keep = true;
        let n = self.number(&tip);
        self.parse(n)?;
        self.flags[n as usize] |= SEEN;
        self.push(n);
        let mut list = Vec::new();
        while let Some((_, _, n)) = self.queue.pop() {
            self.add_parents(n)?;
            list.push(n);
        }
        // Each commit's count of children in the list, plus one (every parent is in the list:
        // nothing was uninteresting).
        for &n in &list {
            self.read.get_mut(&n)?.children = 1;
        }
        for &n in &list {
            for at in 0..self.parents(n).len() {
                let p = self.parents(n)[at];
                self.read.get_mut(&p)?.children += 1;
            }
        }
        let mut queue = BinaryHeap::new();
        let mut queued = 0u64;
        for &n in &list {
            let read = self.read[&n];
            if read.children == 1 {
                queue.push((read.date, Reverse(queued), n));
                queued += 1;
            }
        }
        let mut sorted = Vec::with_capacity(list.len());
        while let Some((_, _, n)) = queue.pop() {
            for at in 0..self.parents(n).len() {
                let p = self.parents(n)[at];
                let parent = self.read.get_mut(&p)?;
                if parent.children == 0 {
                    continue;
                }
                parent.children -= 1;
                if parent.children == 1 {
                    queue.push((parent.date, Reverse(queued), p));
                    queued += 1;
                }
            }
            self.read.get_mut(&n)?.children = 0;
            sorted.push(self.id(n)?);
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
        let interesting = |n: u32| self.flags[n as usize] & UNINTERESTING == 0;
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
        if self.flags[n as usize] & ADDED != 0 {
            return Some(());
        }
        self.flags[n as usize] |= ADDED;
        let uninteresting = self.flags[n as usize] & UNINTERESTING != 0;
        // By position: reading the parents leaves this commit's as they are.
        for at in 0..self.parents(n).len() {
            let p = self.parents(n)[at];
            if uninteresting {
                self.flags[p as usize] |= UNINTERESTING;
            }
            self.parse(p)?;
            if uninteresting {
                self.mark_parents_uninteresting(p)?;
            }
            if self.flags[p as usize] & SEEN == 0 {
                self.flags[p as usize] |= SEEN;
                self.push(p);
            }
        }
        Some(())
    }

    /// git's `mark_parents_uninteresting`: down through the commits read so far.
    fn mark_parents_uninteresting(&mut self, n: u32) -> Option<()> {
        // What is marked does not depend on the order marked in.
        let mut pending = Vec::new();
        self.parents_again(n, &mut pending)?;
        while let Some(p) = pending.pop() {
            self.mark_one(p, &mut pending)?;
        }
        Some(())
    }

    fn mark_one(&mut self, n: u32, pending: &mut Vec<u32>) -> Option<()> {
        let flags = &mut self.flags[n as usize];
        if *flags & UNINTERESTING != 0 {
            return Some(());
        }
        *flags |= UNINTERESTING;
        self.parents_again(n, pending)
    }

    /// Adds the parents of commit `n` to `to`, when it was read: from what the walk holds, or
    /// read again once taken and forgotten (only where an uninteresting commit reaches one
    /// taken before it: dates out of order).
    fn parents_again(&mut self, n: u32, to: &mut Vec<u32>) -> Option<()> {
        if self.flags[n as usize] & PARSED == 0 {
            return Some(());
        }
        if self.read.contains_key(&n) {
            to.extend_from_slice(self.parents(n));
            return Some(());
        }
        self.read_commit(n, false)?;
        let (parents, _) = parse_head(&self.buf)?;
        to.extend(parents.iter().map(|p| self.number(p)));
        Some(())
    }

    /// The parents of commit `n`, while the walk holds what it read of it (none otherwise).
    fn parents(&self, n: u32) -> &[u32] {
        match self.read.get(&n) {
            None => &[],
            Some(read) if read.count <= 2 => &read.parents[..usize::from(read.count)],
            Some(_) => self.octopus.get(&n).map_or(&[], |all| all),
        }
    }

    /// Lets go of what was read of `n`, taken from the queue (its flags stay).
    fn forget(&mut self, n: u32) {
        if self.keep {
            return;
        }
        if self.read.remove(&n).is_some_and(|read| read.count > 2) {
            self.octopus.remove(&n);
        }
        self.ids.remove(&n);
    }

    fn push(&mut self, n: u32) {
        self.queue.push((self.read[&n].date, Reverse(self.queued), n));
        self.queued += 1;
    }

    /// The number of commit `id`: its place in the packs, or the next after them when it is
    /// not packed (read as a loose object then).
    fn number(&mut self, id: &oid) -> u32 {
        if let Some(n) = self.store.number(id) {
            if !self.keep && self.flags[n as usize] & PARSED == 0 {
                self.ids.insert(n, id.to_owned());
            }
            return n;
        }
        let next = self.packed + self.loose_ids.len() as u32;
        *self.loose.entry(id.to_owned()).or_insert_with(|| {
            self.loose_ids.push(id.to_owned());
            self.flags.push(0);
            next
        })
    }

    fn id(&self, n: u32) -> Option<ObjectId> {
        match n.checked_sub(self.packed) {
            None => match self.ids.get(&n) {
                Some(id) => Some(*id),
                None => self.store.id_of(n).ok(),
            },
            Some(loose) => Some(self.loose_ids[loose as usize]),
        }
    }

    /// Commit `n` into [`Walk::buf`]: whole, or at least up to its committer line.
    fn read_commit(&mut self, n: u32, whole: bool) -> Option<()> {
        let buf = &mut self.buf;
        if n < self.packed {
            return match whole {
                true => self.reader.commit_numbered(n, buf),
                false => self.reader.commit_head_numbered(n, buf),
            }
            .ok();
        }
        let id = &self.loose_ids[(n - self.packed) as usize];
        let read = match whole {
            true => self.reader.commit(id, buf),
            false => self.reader.commit_head(id, buf),
        };
        read.ok()?.then_some(())
    }

    /// Reads commit `n` once: its parents and date.
    fn parse(&mut self, n: u32) -> Option<()> {
        if self.flags[n as usize] & PARSED != 0 {
            return Some(());
        }
        // An uninteresting commit stays so: only its parents and date are read.
        let whole = self.messages && self.flags[n as usize] & UNINTERESTING == 0;
        self.read_commit(n, whole)?;
        let (parents, date) = parse_head(&self.buf)?;
        if date >= self.dates_below {
            return None;
        }
        let parents: Vec<u32> = parents.iter().map(|p| self.number(p)).collect();
        let mut read = Read {
            date,
            parents: [0; 2],
            count: 3,
            children: 0,
        };
        if parents.len() <= 2 {
            read.parents[..parents.len()].copy_from_slice(&parents);
            read.count = parents.len() as u8;
        } else {
            self.octopus.insert(n, parents.into_boxed_slice());
        }
        self.read.insert(n, read);
        self.flags[n as usize] |= PARSED;
        if whole {
            self.raw.insert(n, self.buf.as_slice().into());
        }
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

    /// What the walk holds of each commit in its front: 24 bytes.
    #[test]
    fn a_commit_read_takes_24_bytes() {
        assert_eq!(std::mem::size_of::<Read>(), 24);
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
