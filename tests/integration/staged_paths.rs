//! `Repo::staged_paths` (the index read against HEAD's tree in process) lists exactly what
//! `git diff --cached --name-only --no-renames` lists, across the shapes a staged change takes.

use mpm_hooks::git::{Repo, StagedPaths};

use crate::common::TestRepo;

/// The staged paths as read in process and as git lists them.
fn both(repo: &TestRepo) -> (StagedPaths, Vec<String>) {
    let ours = Repo::open(repo.path()).unwrap().staged_paths().unwrap();
    let git = repo.git(&["diff", "--cached", "--name-only", "--no-renames", "-z"]);
    let theirs = git.split('\0').filter(|p| !p.is_empty()).map(String::from).collect();
    (ours, theirs)
}

#[track_caller]
fn same_as_git(repo: &TestRepo) -> Vec<String> {
    let (ours, theirs) = both(repo);
    assert!(!ours.unmerged);
    assert_eq!(ours.paths, theirs);
    ours.paths
}

/// Many folders committed (so the index holds a full cache tree), most of them left alone.
fn tree_repo(init: &[&str]) -> TestRepo {
    let repo = TestRepo::bare_dir();
    let mut args = vec!["init", "-q", "-b", "main"];
    args.extend_from_slice(init);
    repo.git(&args);
    for d in 0..4 {
        for f in 0..3 {
            repo.write(&format!("src/d{d}/f{f}.txt"), &format!("{d} {f}\n"));
        }
    }
    for f in ["README.md", "a", "a-b", "b/x", "link", "run.sh", "docs/guide.md"] {
        repo.write(f, &format!("{f}\n"));
    }
    repo.git(&["add", "-A"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "chore: start"]);
    repo
}

/// Every kind of change at once: modify, add, delete, rename, chmod, type changes
/// (file to folder, folder to file, file to symlink), intent-to-add and a new folder.
fn change_everything(repo: &TestRepo) {
    repo.write("src/d1/f1.txt", "changed\n");
    repo.write("src/d2/new.txt", "new\n");
    repo.write("new/deep/er.txt", "new\n");
    repo.git(&["rm", "-q", "src/d3/f0.txt"]);
    repo.git(&["mv", "docs/guide.md", "docs/manual.md"]);
    repo.git(&["rm", "-q", "a"]);
    repo.write("a/inside", "now a folder\n");
    repo.git(&["rm", "-q", "-r", "b"]);
    repo.write("b", "now a file\n");
    repo.git(&["rm", "-q", "link"]);
    std::os::unix::fs::symlink("README.md", repo.child("link")).unwrap();
    repo.git(&["add", "-A"]);
    repo.git(&["update-index", "--chmod=+x", "run.sh"]);
    repo.write("planned.txt", "later\n");
    repo.git(&["add", "-N", "planned.txt"]);
}

#[test]
fn every_kind_of_change_matches_git() {
    let repo = tree_repo(&[]);
    assert!(same_as_git(&repo).is_empty());
    change_everything(&repo);
    let paths = same_as_git(&repo);
    assert!(paths.contains(&"docs/guide.md".to_string()) && paths.contains(&"docs/manual.md".to_string()));
    assert!(paths.contains(&"run.sh".to_string()));
    assert!(!paths.contains(&"planned.txt".to_string()));
}

#[test]
fn a_cache_tree_that_is_not_heads_is_walked() {
    // After a soft reset the index's cache tree is valid but is the later commit's.
    let repo = tree_repo(&[]);
    repo.commit_file("src/d0/f0.txt", "second\n", "chore: second");
    repo.commit_file("docs/guide.md", "third\n", "chore: third");
    repo.git(&["reset", "-q", "--soft", "HEAD~2"]);
    assert_eq!(same_as_git(&repo), ["docs/guide.md", "src/d0/f0.txt"]);
}

#[test]
fn an_unborn_branch_lists_every_entry_but_intent_to_add() {
    let repo = TestRepo::new();
    repo.write("a.txt", "a\n");
    repo.write("d/b.txt", "b\n");
    repo.write("d/later.txt", "c\n");
    repo.git(&["add", "a.txt", "d/b.txt"]);
    repo.git(&["add", "-N", "d/later.txt"]);
    assert_eq!(same_as_git(&repo), ["a.txt", "d/b.txt"]);
}

#[test]
fn an_intent_to_add_entry_for_a_committed_path_is_its_deletion() {
    let repo = tree_repo(&[]);
    repo.git(&["rm", "-q", "--cached", "README.md"]);
    repo.git(&["add", "-N", "README.md"]);
    assert_eq!(same_as_git(&repo), ["README.md"]);
}

#[test]
fn submodules_are_compared_by_their_commit() {
    let repo = tree_repo(&[]);
    let sub = |args: &[&str]| {
        let mut all = vec!["-C", "sub"];
        all.extend_from_slice(args);
        repo.git(&all)
    };
    std::fs::create_dir(repo.child("sub")).unwrap();
    sub(&["init", "-q", "-b", "main"]);
    repo.write("sub/x", "x\n");
    sub(&["add", "x"]);
    sub(&["commit", "-q", "-m", "one"]);
    repo.git(&["add", "sub"]);
    assert_eq!(same_as_git(&repo), ["sub"]);
    repo.git(&["commit", "-q", "--no-verify", "-m", "chore: sub"]);
    assert!(same_as_git(&repo).is_empty());
    repo.write("sub/x", "y\n");
    sub(&["commit", "-q", "-am", "two"]);
    repo.git(&["add", "sub"]);
    assert_eq!(same_as_git(&repo), ["sub"]);
}

#[test]
fn a_sha256_repository_matches_git() {
    let repo = tree_repo(&["--object-format=sha256"]);
    change_everything(&repo);
    assert!(same_as_git(&repo).len() > 5);
}

#[test]
fn a_split_index_matches_git() {
    let repo = tree_repo(&[]);
    repo.git(&["update-index", "--split-index"]);
    change_everything(&repo);
    assert!(
        repo.child(".git")
            .read_dir()
            .unwrap()
            .any(|e| { e.unwrap().file_name().to_string_lossy().starts_with("sharedindex.") })
    );
    assert!(same_as_git(&repo).len() > 5);
}

#[test]
fn an_index_of_version_4_matches_git() {
    let repo = tree_repo(&[]);
    repo.git(&["update-index", "--index-version", "4"]);
    change_everything(&repo);
    assert!(same_as_git(&repo).len() > 5);
}

#[test]
fn a_sparse_index_matches_git() {
    let repo = tree_repo(&[]);
    repo.git(&["sparse-checkout", "set", "--cone", "--sparse-index", "src/d1", "docs"]);
    repo.write("src/d1/f1.txt", "changed\n");
    repo.git(&["mv", "docs/guide.md", "docs/manual.md"]);
    repo.git(&["add", "-A"]);
    assert_eq!(same_as_git(&repo), ["docs/guide.md", "docs/manual.md", "src/d1/f1.txt"]);
}

#[test]
fn a_conflict_is_reported_not_listed() {
    let repo = tree_repo(&[]);
    repo.git(&["checkout", "-q", "-b", "other"]);
    repo.commit_file("README.md", "other\n", "chore: other");
    repo.git(&["checkout", "-q", "main"]);
    repo.commit_file("README.md", "main\n", "chore: main");
    assert!(!repo.git_output(&["merge", "-q", "other"]).status.success());
    let ours = Repo::open(repo.path()).unwrap().staged_paths().unwrap();
    assert!(ours.unmerged);
    assert!(ours.paths.is_empty());
}
