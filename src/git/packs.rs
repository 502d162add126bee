//! Reading blobs straight from the object store's files, for history scans: packs through their
//! index (mapped by gix-pack, or read when large), entries read with positioned reads and
//! inflated here (gix-zlib), deltas applied here; loose objects inflated from their files.
//!
//! Pack files are read, not mapped: a mapped pack keeps every page read resident for as long as
//! it is mapped (moby's last 7,000 commits: 187 MB through gix-odb's mappings), while a read
//! costs one copy and leaves memory to the delta-base cache, which is capped. So is a pack
//! index over 32 MB: a walk of history looks up every commit, at ids spread all over the index.
//!
//! Anything this reader does not know (a SHA-256 store, alternates, an object that is missing or
//! does not decode) is reported, and the caller has git read that commit instead.

use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use gix_hash::{ObjectId, oid};
use gix_pack::data::entry::Header;

/// What an object is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Commit,
    Tree,
    Blob,
    Tag,
}

/// The packs and loose objects of one object directory, shared by the readers of a scan.
pub struct ObjectStore {
    dir: PathBuf,
    packs: Vec<Pack>,
}

struct Pack {
    index: Index,
    /// The index's fan-out: how many of its ids start with a byte up to each value.
    fan: [u32; 256],
    data: File,
}

/// A pack's index: mapped (gix-pack), or read a few ids at a time when it is large.
enum Index {
    Mapped(Box<gix_pack::index::File>),
    Read(ReadIndex),
}

/// An index larger than this is read, not mapped. A walk of history looks up every commit and
/// every parent: a mapped index stays resident page by page as the lookups reach it, which on
/// a history of 1,200,000 commits (3.4 million objects, a 95 MB index) was 70 MB of the walk's
/// 95 MB; read, a lookup costs one or two positioned reads of 2.5 KB (see [`Pack::lookup`]).
const MAPPED_INDEX: u64 = 32 << 20;

/// A pack index read with positioned reads: where its tables lie (version 2, or the headerless
/// version 1, whose entries are an offset and an id).
struct ReadIndex {
    file: File,
    count: u32,
    version: u8,
}

/// How many ids a read of [`ReadIndex`] brings: 2.5 KB, about where a guess lands (ids are
/// uniformly distributed).
const WINDOW: u32 = 128;

impl ReadIndex {
    fn open(path: &Path, fan: &[u32; 256]) -> io::Result<ReadIndex> {
        let file = File::open(path)?;
        let mut head = [0u8; 8];
        file.read_exact_at(&mut head, 0)?;
        let version = if head[..4] == *b"\xfftOc" {
            u32::from_be_bytes([head[4], head[5], head[6], head[7]])
        } else {
            1
        };
        let count = fan[255];
        let need = match version {
            1 => 1024 + 24 * u64::from(count),
            2 => 8 + 1024 + 28 * u64::from(count),
            _ => return Err(invalid(format!("{}: an index of version {version}", path.display()))),
        } + 40;
        if file.metadata()?.len() < need {
            return Err(invalid(format!(
                "{}: shorter than its fan-out table says",
                path.display()
            )));
        }
        Ok(ReadIndex {
            file,
            count,
            version: version as u8,
        })
    }

    /// Where the entry of id `at` starts, and how far apart entries are.
    fn ids(&self, at: u32) -> (u64, usize) {
        match self.version {
            1 => (1024 + 24 * u64::from(at) + 4, 24),
            _ => (8 + 1024 + 20 * u64::from(at), 20),
        }
    }

    /// The ids `from..to` into `out`, each `stride` bytes apart (the id first).
    fn read_ids<'b>(&self, from: u32, to: u32, out: &'b mut [u8]) -> io::Result<(&'b [u8], usize)> {
        let (at, stride) = self.ids(from);
        let len = (to - from) as usize * stride - (stride - 20);
        self.file.read_exact_at(&mut out[..len], at)?;
        Ok((&out[..len], stride))
    }

    fn id_at(&self, at: u32) -> io::Result<ObjectId> {
        let mut id = [0u8; 20];
        self.file.read_exact_at(&mut id, self.ids(at).0)?;
        Ok(ObjectId::from_bytes_or_panic(&id))
    }

    fn offset_at(&self, at: u32) -> io::Result<u64> {
        let mut word = [0u8; 4];
        if self.version == 1 {
            self.file.read_exact_at(&mut word, 1024 + 24 * u64::from(at))?;
            return Ok(u64::from(u32::from_be_bytes(word)));
        }
        let n = u64::from(self.count);
        self.file
            .read_exact_at(&mut word, 8 + 1024 + 24 * n + 4 * u64::from(at))?;
        let offset = u32::from_be_bytes(word);
        if offset & 0x8000_0000 == 0 {
            return Ok(u64::from(offset));
        }
        let mut large = [0u8; 8];
        let at = 8 + 1024 + 28 * n + 8 * u64::from(offset & 0x7fff_ffff);
        self.file.read_exact_at(&mut large, at)?;
        Ok(u64::from_be_bytes(large))
    }
}

/// The eight bytes after an id's first, which order ids within a fan-out bucket.
fn key(id: &[u8]) -> u64 {
    u64::from_be_bytes([id[1], id[2], id[3], id[4], id[5], id[6], id[7], id[8]])
}

impl Pack {
    fn count(&self) -> u32 {
        self.fan[255]
    }

    /// The ids of the fan-out bucket of `id`'s first byte.
    fn bucket(&self, id: &oid) -> (u32, u32) {
        let first = usize::from(id.as_bytes()[0]);
        (if first == 0 { 0 } else { self.fan[first - 1] }, self.fan[first])
    }

    /// The entry of `id` in the index. Ids are uniformly distributed, so the search guesses
    /// where in its range `id` falls from the bytes after the first (interpolation search): on
    /// moby's pack of 640,000 objects a few probes, where a binary search takes 12, each a
    /// likely cache miss. A read index is searched a window of ids at a time, each guess
    /// narrowed by the ids the last read brought.
    fn lookup(&self, id: &oid) -> Option<u32> {
        match &self.index {
            Index::Mapped(index) => self.lookup_mapped(index, id),
            Index::Read(index) => self.lookup_read(index, id).ok().flatten(),
        }
    }

    fn lookup_mapped(&self, index: &gix_pack::index::File, id: &oid) -> Option<u32> {
        let (mut lo, mut hi) = self.bucket(id);
        let key_at = |at: u32| key(index.oid_at_index(at).as_bytes());
        let want = key(id.as_bytes());
        let mut probes = 0;
        while lo < hi {
            let (low, high) = (key_at(lo), key_at(hi - 1));
            if want < low || want > high {
                return None;
            }
            probes += 1;
            let span = u128::from(hi - 1 - lo);
            // Ids made to share their first bytes would make guesses crawl: after a few, halve.
            let at = if probes > 6 {
                lo + (hi - lo) / 2
            } else if high == low {
                lo
            } else {
                lo + (u128::from(want - low) * span / u128::from(high - low)) as u32
            };
            match index.oid_at_index(at).cmp(id) {
                std::cmp::Ordering::Equal => return Some(at),
                std::cmp::Ordering::Less => lo = at + 1,
                std::cmp::Ordering::Greater => hi = at,
            }
        }
        None
    }

    fn lookup_read(&self, index: &ReadIndex, id: &oid) -> io::Result<Option<u32>> {
        let (mut lo, mut hi) = self.bucket(id);
        let want = u128::from(key(id.as_bytes()));
        // Every id in lo..hi has its key in low..high.
        let (mut low, mut high) = (0u128, 1u128 << 64);
        let mut buf = [0u8; WINDOW as usize * 24];
        let mut probes = 0;
        while lo < hi {
            probes += 1;
            let span = u128::from(hi - lo);
            let guess = if probes > 4 {
                lo + (hi - lo) / 2
            } else {
                lo + (want.saturating_sub(low) * span / (high - low).max(1)).min(span - 1) as u32
            };
            let from = guess.saturating_sub(WINDOW / 2).max(lo);
            let to = (from + WINDOW).min(hi);
            let from = to.saturating_sub(WINDOW).max(lo);
            let (ids, stride) = index.read_ids(from, to, &mut buf)?;
            let at = |n: usize| &ids[n * stride..n * stride + 20];
            let (mut a, mut b) = (0, (to - from) as usize);
            while a < b {
                let mid = (a + b) / 2;
                match at(mid).cmp(id.as_bytes()) {
                    std::cmp::Ordering::Equal => return Ok(Some(from + mid as u32)),
                    std::cmp::Ordering::Less => a = mid + 1,
                    std::cmp::Ordering::Greater => b = mid,
                }
            }
            if a == 0 && from > lo {
                hi = from;
                high = u128::from(key(at(0))) + 1;
            } else if a == (to - from) as usize && to < hi {
                lo = to;
                low = u128::from(key(at(a - 1)));
            } else {
                return Ok(None);
            }
        }
        Ok(None)
    }

    fn offset_at(&self, at: u32) -> io::Result<u64> {
        match &self.index {
            Index::Mapped(index) => Ok(index.pack_offset_at_index(at)),
            Index::Read(index) => index.offset_at(at),
        }
    }

    fn id_at(&self, at: u32) -> io::Result<ObjectId> {
        match &self.index {
            Index::Mapped(index) => Ok(index.oid_at_index(at).to_owned()),
            Index::Read(index) => index.id_at(at),
        }
    }
}

/// Whether the object directory `dir` has a commit-graph (a file, or a chain of them), which git
/// walks without reading commits, and whose dates it orders those commits by.
pub fn has_commit_graph(dir: &Path) -> bool {
    let info = dir.join("info");
    info.join("commit-graph").is_file() || info.join("commit-graphs").join("commit-graph-chain").is_file()
}

/// The fan-out table of the pack index at `path` (version 2, or the headerless version 1).
fn read_fan(path: &Path) -> io::Result<[u32; 256]> {
    let mut head = [0u8; 8 + 1024];
    io::Read::read_exact(&mut File::open(path)?, &mut head)?;
    let table = if head[..4] == *b"\xfftOc" {
        &head[8..]
    } else {
        &head[..1024]
    };
    let mut fan = [0u32; 256];
    for (n, entry) in fan.iter_mut().enumerate() {
        *entry = u32::from_be_bytes([table[4 * n], table[4 * n + 1], table[4 * n + 2], table[4 * n + 3]]);
    }
    Ok(fan)
}

impl ObjectStore {
    /// The store in `dir` (`.git/objects`); `None` when its objects may live elsewhere too
    /// (`info/alternates`), which this reader does not follow.
    pub fn open(dir: &Path) -> io::Result<Option<ObjectStore>> {
        ObjectStore::open_reading_above(dir, MAPPED_INDEX)
    }

    /// [`ObjectStore::open`], reading the pack indexes larger than `read_above` bytes.
    fn open_reading_above(dir: &Path, read_above: u64) -> io::Result<Option<ObjectStore>> {
        if dir.join("info/alternates").exists() {
            return Ok(None);
        }
        let mut packs = Vec::new();
        let entries = match std::fs::read_dir(dir.join("pack")) {
            Ok(entries) => entries.collect::<io::Result<Vec<_>>>()?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e),
        };
        for entry in entries {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "idx") {
                continue;
            }
            // A pack being written has its index last; one without its data is skipped.
            let Ok(data) = File::open(path.with_extension("pack")) else {
                continue;
            };
            let fan = read_fan(&path)?;
            let misfit = || {
                invalid(format!(
                    "{}: a fan-out table that does not fit the index",
                    path.display()
                ))
            };
            if fan.windows(2).any(|w| w[0] > w[1]) {
                return Err(misfit());
            }
            let index = if std::fs::metadata(&path)?.len() > read_above {
                Index::Read(ReadIndex::open(&path, &fan)?)
            } else {
                let index = gix_pack::index::File::at(&path, gix_hash::Kind::Sha1)
                    .map_err(|e| invalid(format!("{}: {e}", path.display())))?;
                if fan[255] != index.num_objects() {
                    return Err(misfit());
                }
                Index::Mapped(Box::new(index))
            };
            packs.push(Pack { index, fan, data });
        }
        Ok(Some(ObjectStore {
            dir: dir.to_path_buf(),
            packs,
        }))
    }

    fn find(&self, id: &oid) -> Option<(usize, u64)> {
        self.packs.iter().enumerate().find_map(|(n, pack)| {
            let entry = pack.lookup(id)?;
            Some((n, pack.offset_at(entry).ok()?))
        })
    }

    /// Whether this store has a commit-graph ([`has_commit_graph`]).
    pub fn has_commit_graph(&self) -> bool {
        has_commit_graph(&self.dir)
    }

    /// How many objects the packs list, duplicates counted: the packed objects are numbered
    /// `0..packed_count()` ([`ObjectStore::number`]).
    pub fn packed_count(&self) -> u32 {
        self.packs.iter().map(Pack::count).sum()
    }

    /// The number of packed object `id`: its position in the first pack's index that lists it,
    /// after the objects of the packs before. A walk keys its commits by it instead of keeping
    /// their ids (the index keeps them), and reads them by it without a second search.
    pub fn number(&self, id: &oid) -> Option<u32> {
        let mut before = 0;
        for pack in &self.packs {
            if let Some(at) = pack.lookup(id) {
                return Some(before + at);
            }
            before += pack.count();
        }
        None
    }

    /// The pack and index position of packed object `number`.
    fn place(&self, mut number: u32) -> (usize, u32) {
        for (n, pack) in self.packs.iter().enumerate() {
            let count = pack.count();
            if number < count {
                return (n, number);
            }
            number -= count;
        }
        panic!("object number {number} past the packs' objects")
    }

    /// The pack and pack offset of packed object `number`.
    fn located(&self, number: u32) -> io::Result<(usize, u64)> {
        let (pack, at) = self.place(number);
        Ok((pack, self.packs[pack].offset_at(at)?))
    }

    /// The id of packed object `number` (below [`ObjectStore::packed_count`]).
    pub fn id_of(&self, number: u32) -> io::Result<ObjectId> {
        let (pack, at) = self.place(number);
        self.packs[pack].id_at(at)
    }
}

/// What a reader decoded last: deltas are mostly based on the version before (the same file one
/// commit later), so the objects decoded last are the bases of the next ones. One buffer used as
/// a ring, the oldest entries overwritten first: its memory is its size, whatever the sizes of
/// what passes through (entries of their own, freed in turn, left the heap fragmented: 45 MB
/// more than the 16 MB two readers of 8 MB held on moby's last 7,000 commits).
struct DeltaBases {
    ring: Vec<u8>,
    /// Where the next entry goes.
    head: usize,
    /// The entries in the ring, oldest first: key, start, length.
    order: VecDeque<((usize, u64), usize, usize)>,
    entries: HashMap<(usize, u64), (usize, usize, Kind)>,
}

impl DeltaBases {
    fn new(size: usize) -> DeltaBases {
        DeltaBases {
            ring: vec![0; size],
            head: 0,
            order: VecDeque::new(),
            entries: HashMap::new(),
        }
    }

    fn get(&self, key: (usize, u64)) -> Option<(&[u8], Kind)> {
        let &(start, len, kind) = self.entries.get(&key)?;
        Some((&self.ring[start..start + len], kind))
    }

    fn put(&mut self, key: (usize, u64), data: &[u8], kind: Kind) {
        let len = data.len();
        if len > self.ring.len() / 4 || self.entries.contains_key(&key) {
            return;
        }
        if self.head + len > self.ring.len() {
            // Back to the start: what is left after the head was written a lap ago, the oldest.
            while let Some(&(gone, start, _)) = self.order.front()
                && start >= self.head
            {
                self.order.pop_front();
                self.entries.remove(&gone);
            }
            self.head = 0;
        }
        while let Some(&(gone, start, _)) = self.order.front()
            && start >= self.head
            && start < self.head + len
        {
            self.order.pop_front();
            self.entries.remove(&gone);
        }
        self.ring[self.head..self.head + len].copy_from_slice(data);
        self.order.push_back((key, self.head, len));
        self.entries.insert(key, (self.head, len, kind));
        self.head += len;
    }
}

/// The delta-base cache of each reader. On moby's last 7,000 commits (two readers): none, 6.4 s
/// of CPU; 2 MB, 4.6 s; 4 MB, 4.3 to 4.6 s; 8 MB, 4.0 to 4.3 s for 11 MB more at the peak.
const DELTA_CACHE: usize = 4 << 20;
/// The first read of an entry: its header and, for most deltas, all of its data.
const FIRST_READ: usize = 1024;
/// What a walk inflates of a commit first: its headers, unless it has many parents or long
/// names (then all of it).
const HEAD_PART: usize = 768;

/// Whether `head`, the start of a commit, holds its committer line whole.
fn has_committer_line(head: &[u8]) -> bool {
    memchr::memmem::find(head, b"\ncommitter ").is_some_and(|at| memchr::memchr(b'\n', &head[at + 1..]).is_some())
}

/// One thread's reader of a store: its cache and buffers.
pub struct Reader<'a> {
    store: &'a ObjectStore,
    cache: DeltaBases,
    inflate: gix_zlib::Decompress,
    /// Whole entries: libdeflate takes a whole stream 1.x to 2x faster than zlib (most of a
    /// small object's time is building its Huffman tables).
    deflate: libdeflater::Decompressor,
    input: Vec<u8>,
    delta: Vec<u8>,
    target: Vec<u8>,
}

fn not_a_commit(id: impl std::fmt::Display) -> io::Error {
    invalid(format!("{id} is not a commit"))
}

fn invalid(what: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what.to_string())
}

impl<'a> Reader<'a> {
    pub fn new(store: &'a ObjectStore) -> Reader<'a> {
        Reader {
            store,
            cache: DeltaBases::new(DELTA_CACHE),
            inflate: gix_zlib::Decompress::new(),
            deflate: libdeflater::Decompressor::new(),
            input: Vec::new(),
            delta: Vec::new(),
            target: Vec::new(),
        }
    }

    /// The content of blob `id` into `out`; `Ok(false)` when the store does not have it
    /// (a partial clone, or an object written since the store was opened).
    pub fn blob(&mut self, id: &oid, out: &mut Vec<u8>) -> io::Result<bool> {
        self.expect(id, Kind::Blob, out)
    }

    /// The content of commit `id` into `out`, as `git cat-file commit` gives it; `Ok(false)`
    /// when the store does not have it.
    pub fn commit(&mut self, id: &oid, out: &mut Vec<u8>) -> io::Result<bool> {
        self.expect(id, Kind::Commit, out)
    }

    /// The start of commit `id` into `out`: its headers at least up to the end of the
    /// committer line (all of it when it is short, stored as a delta, or loose), which is what a
    /// walk of history reads; `Ok(false)` when the store does not have it.
    pub fn commit_head(&mut self, id: &oid, out: &mut Vec<u8>) -> io::Result<bool> {
        if let Some((pack, offset)) = self.store.find(id) {
            match self.head_at(pack, offset, out)? {
                Some(true) => return Ok(true),
                Some(false) => {}
                None => return Err(not_a_commit(id)),
            }
        }
        self.expect(id, Kind::Commit, out)
    }

    /// [`Reader::commit`] of packed object `number` ([`ObjectStore::number`]).
    pub fn commit_numbered(&mut self, number: u32, out: &mut Vec<u8>) -> io::Result<()> {
        let (pack, offset) = self.store.located(number)?;
        self.commit_at(pack, offset, number, out)
    }

    fn commit_at(&mut self, pack: usize, offset: u64, number: u32, out: &mut Vec<u8>) -> io::Result<()> {
        match self.packed(pack, offset, out)? {
            Kind::Commit => Ok(()),
            kind => {
                let id = self.store.id_of(number)?;
                Err(invalid(format!("{id} is a {kind:?}, not a commit")))
            }
        }
    }

    /// [`Reader::commit_head`] of packed object `number` ([`ObjectStore::number`]).
    pub fn commit_head_numbered(&mut self, number: u32, out: &mut Vec<u8>) -> io::Result<()> {
        let (pack, offset) = self.store.located(number)?;
        match self.head_at(pack, offset, out)? {
            Some(true) => Ok(()),
            Some(false) => self.commit_at(pack, offset, number, out),
            None => Err(not_a_commit(self.store.id_of(number)?)),
        }
    }

    /// The start of the commit at `offset` in `pack` into `out`, when it is stored whole and
    /// holds its committer line; `false` when it must be read whole (a delta, long headers);
    /// `None` when the object there is not a commit.
    fn head_at(&mut self, pack: usize, offset: u64, out: &mut Vec<u8>) -> io::Result<Option<bool>> {
        let entry = self.entry(pack, offset, out, HEAD_PART)?;
        Ok(match entry.header {
            Header::Commit => Some(out.len() as u64 == entry.decompressed_size || has_committer_line(out)),
            Header::OfsDelta { .. } | Header::RefDelta { .. } => Some(false),
            _ => None,
        })
    }

    fn expect(&mut self, id: &oid, want: Kind, out: &mut Vec<u8>) -> io::Result<bool> {
        match self.object(id, out)? {
            Some(kind) if kind == want => Ok(true),
            Some(kind) => Err(invalid(format!("{id} is a {kind:?}, not a {want:?}"))),
            None => Ok(false),
        }
    }

    /// The content of object `id` into `out`, and its kind; `None` when the store does not
    /// have it.
    fn object(&mut self, id: &oid, out: &mut Vec<u8>) -> io::Result<Option<Kind>> {
        if let Some((pack, offset)) = self.store.find(id) {
            return self.packed(pack, offset, out).map(Some);
        }
        let hex = id.to_hex().to_string();
        let path = self.store.dir.join(&hex[..2]).join(&hex[2..]);
        let compressed = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        self.inflate_all(&compressed, out)?;
        let nul = memchr::memchr(0, out).ok_or_else(|| invalid(format!("{}: no object header", path.display())))?;
        let kind = match out[..nul].split(|&b| b == b' ').next() {
            Some(b"blob") => Kind::Blob,
            Some(b"commit") => Kind::Commit,
            Some(b"tree") => Kind::Tree,
            Some(b"tag") => Kind::Tag,
            _ => return Err(invalid(format!("{}: an unknown object type", path.display()))),
        };
        out.drain(..=nul);
        Ok(Some(kind))
    }

    /// The object at `offset` in pack `pack`, its deltas applied, into `out`; its kind.
    fn packed(&mut self, pack: usize, offset: u64, out: &mut Vec<u8>) -> io::Result<Kind> {
        // Down the chain of bases to one that is whole (or cached), then up, applying each delta.
        let mut chain: Vec<((usize, u64), gix_pack::data::Entry)> = Vec::new();
        let (mut pack, mut offset) = (pack, offset);
        let kind = loop {
            if let Some((base, kind)) = self.cache.get((pack, offset)) {
                out.clear();
                out.extend_from_slice(base);
                break kind;
            }
            let entry = self.entry(pack, offset, out, usize::MAX)?;
            match entry.header {
                Header::OfsDelta { base_distance } => {
                    let base = entry
                        .checked_base_pack_offset(base_distance)
                        .ok_or_else(|| invalid("a delta's base is outside its pack"))?;
                    chain.push(((pack, offset), entry));
                    offset = base;
                }
                Header::RefDelta { base_id } => {
                    chain.push(((pack, offset), entry));
                    (pack, offset) = self
                        .store
                        .find(&base_id)
                        .ok_or_else(|| invalid(format!("the base {base_id} of a delta is missing")))?;
                }
                whole => {
                    let kind = match whole {
                        Header::Commit => Kind::Commit,
                        Header::Tree => Kind::Tree,
                        Header::Tag => Kind::Tag,
                        _ => Kind::Blob,
                    };
                    if !chain.is_empty() {
                        self.cache.put((pack, offset), out, kind);
                    }
                    break kind;
                }
            }
            if chain.len() > 10_000 {
                return Err(invalid("a delta chain that does not end"));
            }
        };
        while let Some((key, entry)) = chain.pop() {
            let mut delta = std::mem::take(&mut self.delta);
            self.inflate_entry(key.0, &entry, 0, &mut delta, usize::MAX)?;
            let applied = apply_delta(out, &delta, &mut self.target);
            self.delta = delta;
            applied.ok_or_else(|| invalid(format!("a delta at {} does not apply", key.1)))?;
            std::mem::swap(out, &mut self.target);
            if !chain.is_empty() {
                self.cache.put(key, out, kind);
            }
        }
        // A large object's buffers are not kept for the small ones after it.
        self.target.shrink_to(1 << 20);
        self.delta.shrink_to(1 << 20);
        Ok(kind)
    }

    /// The entry at `offset`; a whole object's data is inflated into `out`, its first `limit`
    /// bytes only.
    fn entry(
        &mut self,
        pack: usize,
        offset: u64,
        out: &mut Vec<u8>,
        limit: usize,
    ) -> io::Result<gix_pack::data::Entry> {
        let file = &self.store.packs[pack].data;
        self.input.resize(FIRST_READ, 0);
        let n = read_some(file, &mut self.input, offset)?;
        let entry = gix_pack::data::Entry::from_bytes(&self.input[..n], offset, gix_hash::Kind::Sha1)
            .map_err(|e| invalid(format!("a pack entry at {offset}: {e}")))?;
        if !matches!(entry.header, Header::OfsDelta { .. } | Header::RefDelta { .. }) {
            // The first read holds the start of the data, often all of it.
            let read = (n as u64).saturating_sub(entry.data_offset - offset) as usize;
            self.input.copy_within(n - read..n, 0);
            self.inflate_entry(pack, &entry, read, out, limit)?;
        }
        Ok(entry)
    }

    /// Inflates the data of `entry` (in pack `pack`) into `out`, up to `limit` bytes of it; the
    /// first `read` bytes of the input buffer already hold the start of it.
    fn inflate_entry(
        &mut self,
        pack: usize,
        entry: &gix_pack::data::Entry,
        mut read: usize,
        out: &mut Vec<u8>,
        limit: usize,
    ) -> io::Result<()> {
        let file = &self.store.packs[pack].data;
        let whole = usize::try_from(entry.decompressed_size).map_err(|_| invalid("an object too large"))?;
        let size = whole.min(limit);
        out.clear();
        out.resize(size, 0);
        if size == whole {
            // All of it: with its input whole in memory, libdeflate inflates it in one call.
            // Deflate grows what it cannot compress by a few bytes per block (zlib's
            // `deflateBound`); an input it does not take goes the streaming way below.
            let bound = whole + whole / 1024 + 64;
            if read < bound {
                self.input.resize(bound, 0);
                read += read_some(file, &mut self.input[read..], entry.data_offset + read as u64)?;
            }
            if self.deflate.zlib_decompress(&self.input[..read], out) == Ok(whole) {
                return Ok(());
            }
        }
        self.inflate.reset();
        let truncated = || invalid(format!("a pack entry at {} is truncated", entry.pack_offset()));
        let mut at = entry.data_offset + read as u64;
        let mut written = 0;
        loop {
            if read == 0 {
                // Deflate never grows its input by more than a few bytes per 16 KB block.
                let want = (size - written + 64).min(1 << 20);
                self.input.resize(want, 0);
                read = read_some(file, &mut self.input, at)?;
                at += read as u64;
            }
            let (before_in, before_out) = (self.inflate.total_in(), self.inflate.total_out());
            let status = self
                .inflate
                .decompress(
                    &self.input[..read],
                    &mut out[written..],
                    gix_zlib::FlushDecompress::None,
                )
                .map_err(|e| invalid(format!("a pack entry at {}: {e}", entry.pack_offset())))?;
            let used = (self.inflate.total_in() - before_in) as usize;
            let made = (self.inflate.total_out() - before_out) as usize;
            written += made;
            match status {
                gix_zlib::Status::StreamEnd if written == whole => return Ok(()),
                _ if written == size && size < whole => return Ok(()),
                gix_zlib::Status::Ok if used + made > 0 => {
                    // What is left of this input is read again with the next.
                    at -= (read - used) as u64;
                    read = 0;
                }
                _ => return Err(truncated()),
            }
        }
    }

    /// A whole zlib stream (a loose object) into `out`.
    fn inflate_all(&mut self, input: &[u8], out: &mut Vec<u8>) -> io::Result<()> {
        self.inflate.reset();
        out.clear();
        let mut consumed = 0;
        loop {
            let written = out.len();
            out.resize(written.max(4096) * 2, 0);
            let (before_in, before_out) = (self.inflate.total_in(), self.inflate.total_out());
            let status = self
                .inflate
                .decompress(&input[consumed..], &mut out[written..], gix_zlib::FlushDecompress::None)
                .map_err(|e| invalid(format!("a loose object: {e}")))?;
            consumed += (self.inflate.total_in() - before_in) as usize;
            out.truncate(written + (self.inflate.total_out() - before_out) as usize);
            match status {
                gix_zlib::Status::StreamEnd => return Ok(()),
                gix_zlib::Status::Ok => continue,
                gix_zlib::Status::BufError => return Err(invalid("a loose object is truncated")),
            }
        }
    }
}

/// Reads into all of `buf` from `offset`, or up to the file's end: the bytes read.
fn read_some(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read_at(&mut buf[n..], offset + n as u64) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// A size in a delta's header: 7 bits a byte, least significant first.
fn delta_size(d: &mut &[u8]) -> Option<usize> {
    let mut size = 0usize;
    let mut shift = 0;
    loop {
        let (&byte, rest) = d.split_first()?;
        *d = rest;
        size |= usize::from(byte & 0x7f).checked_shl(shift)?;
        if byte & 0x80 == 0 {
            return Some(size);
        }
        shift += 7;
    }
}

/// `base` with git's `delta` applied (pack-format.txt, "Deltified representation"), into `out`;
/// `None` when the delta does not fit the base.
fn apply_delta(base: &[u8], mut delta: &[u8], out: &mut Vec<u8>) -> Option<()> {
    let d = &mut delta;
    if delta_size(d)? != base.len() {
        return None;
    }
    let size = delta_size(d)?;
    out.clear();
    out.reserve(size);
    while let Some((&op, rest)) = d.split_first() {
        *d = rest;
        if op & 0x80 != 0 {
            // Copy from the base: which offset and size bytes follow is in the low 7 bits.
            let mut field = |bits: u8, bytes: usize| -> Option<usize> {
                let mut value = 0usize;
                for i in 0..bytes {
                    if bits & (1 << i) != 0 {
                        let (&byte, rest) = d.split_first()?;
                        *d = rest;
                        value |= usize::from(byte) << (8 * i);
                    }
                }
                Some(value)
            };
            let start = field(op & 0x0f, 4)?;
            let len = match field((op >> 4) & 0x07, 3)? {
                0 => 0x10000,
                len => len,
            };
            out.extend_from_slice(base.get(start..start.checked_add(len)?)?);
        } else if op != 0 {
            // Insert the next `op` bytes.
            let len = usize::from(op);
            out.extend_from_slice(d.get(..len)?);
            *d = &d[len..];
        } else {
            return None;
        }
    }
    (out.len() == size).then_some(())
}

/// The object id of a blob with `content`, as git names it.
#[cfg(test)]
fn blob_id(content: &[u8]) -> gix_hash::ObjectId {
    use sha1::Digest;
    let mut hasher = sha1::Sha1::new();
    hasher.update(format!("blob {}\0", content.len()).as_bytes());
    hasher.update(content);
    gix_hash::ObjectId::from_bytes_or_panic(&hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delta_copies_and_inserts() {
        let base = b"0123456789abcdef";
        // base size 16, result size 9: copy 4 bytes from offset 2, insert "XYZ", copy 2 from 14.
        let delta = [
            16,
            9,
            0x80 | 0x01 | 0x10,
            2,
            4,
            3,
            b'X',
            b'Y',
            b'Z',
            0x80 | 0x01 | 0x10,
            14,
            2,
        ];
        let mut out = Vec::new();
        apply_delta(base, &delta, &mut out).unwrap();
        assert_eq!(out, b"2345XYZef");
    }

    #[test]
    fn a_delta_that_does_not_fit_its_base_is_refused() {
        let mut out = Vec::new();
        // The base is 16 bytes, not 15.
        assert!(apply_delta(b"0123456789abcdef", &[15, 1, 1, b'x'], &mut out).is_none());
        // A copy past the base's end.
        assert!(apply_delta(b"0123", &[4, 8, 0x80 | 0x01 | 0x10, 2, 8], &mut out).is_none());
        // The result is not the size announced.
        assert!(apply_delta(b"0123", &[4, 9, 1, b'x'], &mut out).is_none());
        // Truncated: an insert of 5 with 2 bytes left.
        assert!(apply_delta(b"0123", &[4, 5, 5, b'a', b'b'], &mut out).is_none());
        // The reserved opcode 0.
        assert!(apply_delta(b"0123", &[4, 0, 0], &mut out).is_none());
    }

    #[test]
    fn a_copy_of_size_zero_copies_64_kib() {
        let base = vec![7u8; 0x10000 + 3];
        let mut delta = Vec::new();
        for size in [base.len(), 0x10000] {
            let mut n = size;
            loop {
                let byte = (n & 0x7f) as u8;
                n >>= 7;
                delta.push(if n > 0 { byte | 0x80 } else { byte });
                if n == 0 {
                    break;
                }
            }
        }
        delta.push(0x80); // copy, offset 0, size 0 (= 0x10000)
        let mut out = Vec::new();
        apply_delta(&base, &delta, &mut out).unwrap();
        assert_eq!(out.len(), 0x10000);
    }

    fn git(dir: &Path, args: &[&str]) -> Vec<u8> {
        let out = std::process::Command::new("git")
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.com",
                "-c",
                "commit.gpgSign=false",
            ])
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    /// Every blob of a repository, read here and by `git cat-file`: the same bytes.
    fn every_blob_reads_as_git_reads_it(dir: &Path) -> usize {
        let mapped = every_blob_read_as_git_reads_it(dir, u64::MAX);
        assert_eq!(every_blob_read_as_git_reads_it(dir, 0), mapped, "pack indexes read");
        mapped
    }

    fn every_blob_read_as_git_reads_it(dir: &Path, read_above: u64) -> usize {
        let store = ObjectStore::open_reading_above(&dir.join(".git/objects"), read_above)
            .unwrap()
            .expect("no alternates");
        let mut reader = Reader::new(&store);
        let listed = git(
            dir,
            &[
                "cat-file",
                "--batch-all-objects",
                "--batch-check=%(objecttype) %(objectname)",
            ],
        );
        let mut blobs = 0;
        let mut out = Vec::new();
        for line in String::from_utf8(listed).unwrap().lines() {
            let Some(id) = line.strip_prefix("blob ") else { continue };
            let id = gix_hash::ObjectId::from_hex(id.as_bytes()).unwrap();
            assert!(reader.blob(&id, &mut out).unwrap(), "{id} not found");
            assert!(out == git(dir, &["cat-file", "blob", &id.to_string()]), "{id} differs");
            assert_eq!(blob_id(&out), id);
            blobs += 1;
        }
        blobs
    }

    /// A history of one file changed a line at a time (deltas on deltas), a file larger than a
    /// delta copy's 64 KiB, incompressible bytes (one file over 1 MiB) and an empty file; read loose, from one pack,
    /// from two, and from a pack whose deltas name their bases by id (REF_DELTA).
    #[test]
    fn blobs_read_as_git_reads_them_loose_and_packed() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        git(dir, &["init", "-q"]);
        let mut text: Vec<String> = (0..400).map(|i| format!("line {i} of a file that changes")).collect();
        let mut noise = 0x2545_f491_4f6c_dd1d_u64;
        let mut bytes = |n: usize| -> Vec<u8> {
            (0..n)
                .map(|_| {
                    noise ^= noise << 13;
                    noise ^= noise >> 7;
                    noise ^= noise << 17;
                    noise as u8
                })
                .collect()
        };
        std::fs::write(dir.join("empty"), "").unwrap();
        // More than one read's worth of input (1 MiB), incompressible.
        std::fs::write(dir.join("large.bin"), bytes(1_200_000)).unwrap();
        for round in 0..30 {
            text[(round * 37) % 400] = format!("changed in round {round}");
            std::fs::write(dir.join("file.txt"), text.join("\n")).unwrap();
            let big: String = (0..3000).map(|i| format!("{i} {}\n", round / 10)).collect();
            std::fs::write(dir.join("big.txt"), big).unwrap();
            std::fs::write(dir.join("noise.bin"), bytes(3000)).unwrap();
            git(dir, &["add", "-A"]);
            git(dir, &["commit", "-q", "-m", &format!("round {round}")]);
            if round == 19 {
                assert!(every_blob_reads_as_git_reads_it(dir) > 40, "loose");
                git(dir, &["repack", "-adq", "--depth=50"]);
            }
        }
        // Two packs and loose objects.
        git(dir, &["repack", "-dq"]);
        std::fs::write(dir.join("file.txt"), "loose again").unwrap();
        git(dir, &["add", "-A"]);
        git(dir, &["commit", "-q", "-m", "loose"]);
        let blobs = every_blob_reads_as_git_reads_it(dir);
        let packs = std::fs::read_dir(dir.join(".git/objects/pack")).unwrap();
        assert_eq!(
            packs
                .filter(|e| e.as_ref().unwrap().path().extension().unwrap() == "idx")
                .count(),
            2
        );
        // One pack, deltas by offset, then by id.
        for offsets in ["true", "false"] {
            git(
                dir,
                &[
                    "-c",
                    &format!("repack.useDeltaBaseOffset={offsets}"),
                    "repack",
                    "-adfq",
                    "--depth=50",
                ],
            );
            let pack = std::fs::read_dir(dir.join(".git/objects/pack"))
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|p| p.extension().unwrap() == "idx")
                .unwrap();
            // Deltas on deltas: chains of 2 and longer.
            let verify = git(dir, &["verify-pack", "-v", pack.to_str().unwrap()]);
            assert!(String::from_utf8_lossy(&verify).contains("chain length = 5:"));
            assert_eq!(every_blob_reads_as_git_reads_it(dir), blobs);
        }
        let stats = git(dir, &["count-objects", "-v"]);
        assert!(String::from_utf8_lossy(&stats).contains("count: 0"));
    }

    /// Every object found, numbered and placed the same whether the pack index is mapped or read,
    /// in each format git writes: version 2, version 2 with 64-bit offsets, version 1; ids one
    /// bit off found in neither.
    #[test]
    fn a_pack_index_is_read_as_it_is_mapped() {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        git(dir, &["init", "-q"]);
        for round in 0..60 {
            std::fs::write(dir.join(format!("f{}", round % 7)), format!("{round}\n")).unwrap();
            git(dir, &["add", "-A"]);
            git(dir, &["commit", "-q", "-m", &format!("round {round}")]);
        }
        git(dir, &["repack", "-adq"]);
        let listed = git(dir, &["cat-file", "--batch-all-objects", "--batch-check=%(objectname)"]);
        let ids: Vec<ObjectId> = String::from_utf8(listed)
            .unwrap()
            .lines()
            .map(|id| ObjectId::from_hex(id.as_bytes()).unwrap())
            .collect();
        assert!(ids.len() > 150, "{}", ids.len());
        let packs = dir.join(".git/objects/pack");
        let idx = std::fs::read_dir(&packs)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().unwrap() == "idx")
            .unwrap();
        for version in ["2", "2,64", "1"] {
            std::fs::remove_file(&idx).unwrap();
            let pack = idx.with_extension("pack");
            let (idx, pack) = (idx.to_str().unwrap(), pack.to_str().unwrap());
            git(
                dir,
                &["index-pack", &format!("--index-version={version}"), "-o", idx, pack],
            );
            let mapped = ObjectStore::open_reading_above(&dir.join(".git/objects"), u64::MAX)
                .unwrap()
                .unwrap();
            let read = ObjectStore::open_reading_above(&dir.join(".git/objects"), 0)
                .unwrap()
                .unwrap();
            assert!(matches!(mapped.packs[0].index, Index::Mapped(_)));
            assert!(matches!(read.packs[0].index, Index::Read(_)));
            let mut numbers = std::collections::HashSet::new();
            for id in &ids {
                let n = read.number(id).unwrap();
                assert_eq!(mapped.number(id), Some(n), "{version}: {id}");
                assert_eq!(read.id_of(n).unwrap(), *id);
                assert_eq!(mapped.id_of(n).unwrap(), *id);
                assert_eq!(read.find(id), mapped.find(id), "{version}: {id}");
                numbers.insert(n);
                let mut off = *id;
                off.as_mut_slice()[19] ^= 1;
                if !ids.contains(&off) {
                    assert_eq!(read.number(&off), None);
                    assert_eq!(mapped.number(&off), None);
                }
            }
            assert_eq!(numbers.len(), ids.len());
            assert_eq!(read.packed_count() as usize, ids.len());
            // Past offset 64, every offset is in the table of 64-bit ones.
            let size = std::fs::metadata(idx).unwrap().len();
            let plain = 8 + 1024 + 28 * ids.len() as u64 + 40;
            match version {
                "2" => assert_eq!(size, plain),
                "2,64" => assert!(size > plain + 8 * (ids.len() as u64 - 2), "{size}"),
                _ => assert_eq!(size, 1024 + 24 * ids.len() as u64 + 40),
            }
            assert_eq!(
                every_blob_read_as_git_reads_it(dir, 0),
                every_blob_read_as_git_reads_it(dir, u64::MAX)
            );
        }
    }

    /// A version 2 index of `ids` (sorted here) at `path`, entry `n` at offset `n`, every
    /// thousandth in the table of 64-bit offsets (at `n << 32`).
    fn write_index(path: &Path, ids: &mut [ObjectId]) -> [u32; 256] {
        ids.sort();
        let mut fan = [0u32; 256];
        for id in ids.iter() {
            for entry in &mut fan[usize::from(id.as_bytes()[0])..] {
                *entry += 1;
            }
        }
        let mut out = b"\xfftOc\0\0\0\x02".to_vec();
        fan.iter().for_each(|n| out.extend(n.to_be_bytes()));
        ids.iter().for_each(|id| out.extend(id.as_bytes()));
        out.extend(vec![0u8; 4 * ids.len()]);
        let mut large = Vec::new();
        for n in 0..ids.len() as u64 {
            if n % 1000 == 0 {
                out.extend((0x8000_0000u32 | (large.len() as u32)).to_be_bytes());
                large.push(n << 32);
            } else {
                out.extend((n as u32).to_be_bytes());
            }
        }
        large.iter().for_each(|o| out.extend(o.to_be_bytes()));
        out.extend([0u8; 40]);
        std::fs::write(path, out).unwrap();
        fan
    }

    /// Lookups in a read index of 100,000 ids (buckets of about 400, three windows' worth): every
    /// id found where it is, with its offset, and ids next to them not found; a third of the ids
    /// share their first nine bytes, which leaves the guesses nothing to go on.
    #[test]
    fn a_read_index_finds_every_id_in_large_buckets() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pack-x.idx");
        let mut noise = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            noise ^= noise << 13;
            noise ^= noise >> 7;
            noise ^= noise << 17;
            noise
        };
        let mut ids: Vec<ObjectId> = (0..100_000)
            .map(|n| {
                let mut id = [0u8; 20];
                for chunk in id.chunks_mut(8) {
                    let bytes = next().to_be_bytes();
                    chunk.copy_from_slice(&bytes[..chunk.len()]);
                }
                if n % 3 == 0 {
                    id[..9].copy_from_slice(&[7, 1, 2, 3, 4, 5, 6, 7, 8]);
                }
                ObjectId::from_bytes_or_panic(&id)
            })
            .collect();
        ids.dedup();
        let fan = write_index(&path, &mut ids);
        let pack = Pack {
            index: Index::Read(ReadIndex::open(&path, &fan).unwrap()),
            fan,
            data: File::open(&path).unwrap(),
        };
        for (n, id) in ids.iter().enumerate() {
            assert_eq!(pack.lookup(id), Some(n as u32), "{id}");
            let offset = if n % 1000 == 0 { (n as u64) << 32 } else { n as u64 };
            assert_eq!(pack.offset_at(n as u32).unwrap(), offset);
            assert_eq!(pack.id_at(n as u32).unwrap(), *id);
            for flip in [0x01, 0x80] {
                let mut near = *id;
                near.as_mut_slice()[19] ^= flip;
                if ids.binary_search(&near).is_err() {
                    assert_eq!(pack.lookup(&near), None, "{near}");
                }
            }
        }
    }

    #[test]
    fn blob_ids_are_git_s() {
        assert_eq!(blob_id(b"").to_string(), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    }
}
