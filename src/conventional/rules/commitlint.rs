//! commitlint's own tests of the rules config-conventional enables, and of scope-enum,
//! scope-empty and scope-case (which our config has too), as data: each test of
//! `@commitlint/rules/src/<rule>.test.ts` (commitlint at 1fd1be0) is one row, run through our
//! parser and our rules with the same rule value set in a `CommitMsgConfig`. A row whose
//! condition or value our config cannot say (commitlint's `never` where config-conventional
//! uses `always`, custom scope delimiters) is counted apart, with the reason, not dropped.
//!
//! Those tests parse with `@commitlint/parse`'s default, the angular preset; ours is the
//! conventionalcommits preset config-conventional uses. The two differ only on `!` and the
//! `BREAKING-CHANGE` note keyword, which no row here holds.

use std::collections::BTreeMap;

use super::{check, scope_case_passes};
use crate::config::{Bump, CommitMsgConfig};
use crate::conventional::parse::{Cleanup, Commit, cleanup, parse};

/// A rule's value, as the commitlint test passes it.
#[derive(Debug, Clone, Copy)]
enum Value {
    /// No value (the rule's own default).
    Unset,
    Len(usize),
    Stop(&'static str),
    List(&'static [&'static str]),
    /// The object form: `{ scopes | cases, delimiters }`.
    Delimited(&'static [&'static str], &'static [&'static str]),
}
use Value::*;

/// (commitlint's test name, message, condition, value, commitlint's verdict: valid).
type Row = (&'static str, &'static str, Option<&'static str>, Value, bool);

const ONLY_ALWAYS: &str = "our config has no `never` for this rule";
const ONLY_NEVER: &str = "our config has no `always` for this rule";
const NO_DELIMITERS: &str = "our config has no custom scope delimiters";

/// The config that gives our rule the row's condition and value, or why none can.
fn config_for(rule: &str, when: Option<&str>, value: Value) -> Result<CommitMsgConfig, &'static str> {
    let mut cfg = CommitMsgConfig::default();
    let words = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    // Each rule's default condition is commitlint's: `always`, but `never` for scope-empty.
    let always = matches!(when, None | Some("always"));
    let never = matches!(when, Some("never")) || (when.is_none() && rule == "scope-empty");
    match (rule, value) {
        ("header-max-length", Len(n)) => cfg.header_max_length = n,
        ("body-max-line-length", Len(n)) => cfg.body_max_line_length = n,
        ("footer-max-line-length", Len(n)) => cfg.footer_max_line_length = n,
        ("header-trim", Unset) => {}
        ("body-leading-blank" | "footer-leading-blank", Unset) if always => {}
        ("subject-empty" | "type-empty", Unset) if never => {}
        ("subject-full-stop", Stop(".")) if never => {}
        ("type-enum", Unset) if always => cfg.types = BTreeMap::new(),
        ("type-enum", List(l)) if always => cfg.types = l.iter().map(|t| (t.to_string(), Bump::None)).collect(),
        ("scope-enum", List(l) | Delimited(l, [])) if always => cfg.scopes = words(l),
        ("scope-empty", Unset) if never => cfg.scope_required = true,
        ("scope-case", List(l) | Delimited(l, [])) if always => cfg.scope_case = words(l),
        ("body-leading-blank" | "footer-leading-blank" | "type-enum" | "scope-enum" | "scope-case", _) if !always => {
            return Err(ONLY_ALWAYS);
        }
        ("subject-empty" | "type-empty" | "subject-full-stop" | "scope-empty", _) if !never => {
            return Err(ONLY_NEVER);
        }
        (_, Delimited(..)) => return Err(NO_DELIMITERS),
        _ => panic!("a {rule} row with {when:?} {value:?} that the table does not know"),
    }
    Ok(cfg)
}

/// Our verdict for one rule: valid when the rule finds nothing.
fn passes(rule: &str, message: &str, cfg: &CommitMsgConfig) -> bool {
    check(&parse(message), cfg).iter().all(|f| f.rule != rule)
}

/// Each rule with its rows and how many of them our config cannot say.
const RULES: &[(&str, &[Row], usize)] = &[
    ("header-max-length", HEADER_MAX_LENGTH, 0),
    ("header-trim", HEADER_TRIM, 0),
    ("body-leading-blank", BODY_LEADING_BLANK, 3),
    ("footer-leading-blank", FOOTER_LEADING_BLANK, 8),
    ("body-max-line-length", BODY_MAX_LINE_LENGTH, 0),
    ("footer-max-line-length", FOOTER_MAX_LINE_LENGTH, 0),
    ("subject-empty", SUBJECT_EMPTY, 4),
    ("subject-full-stop", SUBJECT_FULL_STOP, 3),
    ("type-empty", TYPE_EMPTY, 4),
    ("type-enum", TYPE_ENUM, 6),
    ("scope-empty", SCOPE_EMPTY, 3),
    ("scope-enum", SCOPE_ENUM, 31),
    ("scope-case", SCOPE_CASE, 25),
];

#[test]
fn rules_agree_with_commitlints_tests() {
    let mut wrong = Vec::new();
    let mut apart = Vec::new();
    for (rule, rows, expected_apart) in RULES {
        let (mut agree, mut skipped) = (0, 0);
        for (name, message, when, value, valid) in *rows {
            match config_for(rule, *when, *value) {
                Err(why) => {
                    skipped += 1;
                    apart.push(format!("{rule}: {name}: {why}"));
                }
                Ok(cfg) if passes(rule, message, &cfg) == *valid => agree += 1,
                Ok(_) => wrong.push(format!("{rule}: {name} (commitlint: valid {valid})")),
            }
        }
        println!(
            "{rule}: {} cases, {agree} agree, {} disagree, {skipped} not expressible",
            rows.len(),
            rows.len() - agree - skipped
        );
        assert_eq!(skipped, *expected_apart, "{rule}: rows our config cannot say");
    }
    for a in &apart {
        println!("apart: {a}");
    }
    assert!(wrong.is_empty(), "{} disagree:\n{}", wrong.len(), wrong.join("\n"));
}

/// `header-max-length.test.ts`, value `"test: a".length`.
const HEADER_MAX_LENGTH: &[Row] = &[
    ("with short should succeed", "test: a", None, Len(7), true),
    ("with long should fail", "test: ab", None, Len(7), false),
];

/// `header-trim.test.ts`.
const HEADER_TRIM: &[Row] = &[
    (
        "should succeed when header is not surrounded by whitespace",
        "test: subject",
        None,
        Unset,
        true,
    ),
    (
        "should fail when starts with mixed whitespace ",
        "\t\ttest: subject",
        None,
        Unset,
        false,
    ),
    (
        "should fail when starts with whitespace",
        " test: subject",
        None,
        Unset,
        false,
    ),
    (
        "should fail when starts with tab",
        "\t\ttest: subject",
        None,
        Unset,
        false,
    ),
    (
        "should fail when ends with mixed whitespace",
        "test: subject\t\t",
        None,
        Unset,
        false,
    ),
    (
        "should fail when ends with whitespace",
        "test: subject  ",
        None,
        Unset,
        false,
    ),
    (
        "should fail when ends with tab",
        "test: subject\t\t",
        None,
        Unset,
        false,
    ),
    (
        "should fail when surrounded by with mixed whitespace",
        "\t \ttest: subject \t  \t",
        None,
        Unset,
        false,
    ),
    (
        "should fail when surrounded by with whitespace",
        " test: subject ",
        None,
        Unset,
        false,
    ),
    (
        "should fail when surrounded by with tab",
        "\t\ttest: subject\t",
        None,
        Unset,
        false,
    ),
];

/// `body-leading-blank.test.ts`.
const BODY_LEADING_BLANK: &[Row] = &[
    (
        "with simple message should succeed for empty keyword",
        "test: subject",
        None,
        Unset,
        true,
    ),
    (
        r#"with simple message should succeed for "never""#,
        "test: subject",
        Some("never"),
        Unset,
        true,
    ),
    (
        r#"with simple message should succeed for "always""#,
        "test: subject",
        Some("always"),
        Unset,
        true,
    ),
    (
        "without blank line before body should fail for empty keyword",
        "test: subject\nbody",
        None,
        Unset,
        false,
    ),
    (
        r#"without blank line before body should succeed for "never""#,
        "test: subject\nbody",
        Some("never"),
        Unset,
        true,
    ),
    (
        r#"without blank line before body should fail for "always""#,
        "test: subject\nbody",
        Some("always"),
        Unset,
        false,
    ),
    (
        "with blank line before body should succeed for empty keyword",
        "test: subject\n\nbody",
        None,
        Unset,
        true,
    ),
    (
        r#"with blank line before body should fail for "never""#,
        "test: subject\n\nbody",
        Some("never"),
        Unset,
        false,
    ),
    (
        r#"with blank line before body should succeed for "always""#,
        "test: subject\n\nbody",
        Some("always"),
        Unset,
        true,
    ),
];

const FLB_WITHOUT_BODY: &str =
    "feat(new-parser): introduces a new parsing library\n\nBREAKING CHANGE: new library does not support foo-construct";
/// Parsed there with `commentChar: "#"`; here as given (the comment line stays in the body,
/// which does not change the verdict).
const FLB_WITH_BODY_WITH_COMMENT: &str = "feat(new-parser): introduces a new parsing library\n\nBody Line 1\n# comment\nBody Line 2\n\nBREAKING CHANGE: new library does not support foo-construct";
const FLB_WITHOUT: &str = "test: subject\nbody\nBREAKING CHANGE: something important";
const FLB_WITH: &str = "test: subject\nbody\n\nBREAKING CHANGE: something important";
const FLB_MULTI_LINE: &str = "test: subject\nmulti\nline\nbody\n\nBREAKING CHANGE: something important";
const FLB_DOUBLE_NEW_LINE: &str = "fix: some issue\n\ndetailed explanation\n\ncloses #123";

/// `footer-leading-blank.test.ts`.
const FOOTER_LEADING_BLANK: &[Row] = &[
    (
        "with simple message should succeed for empty keyword",
        "test: subject",
        None,
        Unset,
        true,
    ),
    (
        r#"with simple message should succeed for "never""#,
        "test: subject",
        Some("never"),
        Unset,
        true,
    ),
    (
        r#"with simple message should succeed for "always""#,
        "test: subject",
        Some("always"),
        Unset,
        true,
    ),
    (
        "with body message should succeed for empty keyword",
        "test: subject\nbody",
        None,
        Unset,
        true,
    ),
    (
        r#"with body message should succeed for "never""#,
        "test: subject\nbody",
        Some("never"),
        Unset,
        true,
    ),
    (
        r#"with body message should succeed for "always""#,
        "test: subject\nbody",
        Some("always"),
        Unset,
        true,
    ),
    (
        "with trailing message should succeed for empty keyword",
        "test: subject\nbody\n\n",
        None,
        Unset,
        true,
    ),
    (
        r#"with trailing message should succeed for "never""#,
        "test: subject\nbody\n\n",
        Some("never"),
        Unset,
        true,
    ),
    (
        r#"with trailing message should succeed for "always""#,
        "test: subject\nbody\n\n",
        Some("always"),
        Unset,
        true,
    ),
    (
        r#"without body should fail for "never""#,
        FLB_WITHOUT_BODY,
        Some("never"),
        Unset,
        false,
    ),
    (
        r#"without body should succeed for "always""#,
        FLB_WITHOUT_BODY,
        Some("always"),
        Unset,
        true,
    ),
    (
        "without blank line before footer should fail for empty keyword",
        FLB_WITHOUT,
        None,
        Unset,
        false,
    ),
    (
        r#"without blank line before footer should succeed for "never""#,
        FLB_WITHOUT,
        Some("never"),
        Unset,
        true,
    ),
    (
        r#"without blank line before footer should fail for "always""#,
        FLB_WITHOUT,
        Some("always"),
        Unset,
        false,
    ),
    (
        "with blank line before footer should succeed for empty keyword",
        FLB_WITH,
        None,
        Unset,
        true,
    ),
    (
        r#"with blank line before footer should fail for "never""#,
        FLB_WITH,
        Some("never"),
        Unset,
        false,
    ),
    (
        r#"with blank line before footer should succeed for "always""#,
        FLB_WITH,
        Some("always"),
        Unset,
        true,
    ),
    (
        "with blank line before footer and multiline body should succeed for empty keyword",
        FLB_MULTI_LINE,
        None,
        Unset,
        true,
    ),
    (
        r#"with blank line before footer and multiline body should fail for "never""#,
        FLB_MULTI_LINE,
        Some("never"),
        Unset,
        false,
    ),
    (
        r#"with blank line before footer and multiline body should succeed for "always""#,
        FLB_MULTI_LINE,
        Some("always"),
        Unset,
        true,
    ),
    (
        r#"with double blank line before footer and double line in body should fail for "never""#,
        FLB_DOUBLE_NEW_LINE,
        Some("never"),
        Unset,
        false,
    ),
    (
        r#"with double blank line before footer and double line in body should succeed for "always""#,
        FLB_DOUBLE_NEW_LINE,
        Some("always"),
        Unset,
        true,
    ),
    (
        r#"with body containing comments should succeed for "always""#,
        FLB_WITH_BODY_WITH_COMMENT,
        Some("always"),
        Unset,
        true,
    ),
];

/// `body-max-line-length.test.ts`, value `"a".length` unless the test gives another. Its
/// `urlMarkdownLinkInList` and `urlMarkdownLinkInFooter` messages are built but no test uses
/// them.
const BODY_MAX_LINE_LENGTH: &[Row] = &[
    ("with empty should succeed", "test: subject", None, Len(1), true),
    ("with short should succeed", "test: subject\na", None, Len(1), true),
    ("with long should fail", "test: subject\nab", None, Len(1), false),
    (
        "with short with multiple lines should succeed",
        "test:subject\na\na\na",
        None,
        Len(1),
        true,
    ),
    (
        "with long with multiple lines should fail",
        "test:subject\na\nab\na",
        None,
        Len(1),
        false,
    ),
    (
        "with multiple lines and standalone URL should succeed",
        "test:subject\na\nhttps://example.com/URL/with/a/very/long/path\na",
        None,
        Len(1),
        true,
    ),
    (
        "with multiple lines and URL in inline Markdown link should succeed",
        "test:subject\n\nThis is a [link](https://example.com/URL/with/a/very/long/path).",
        None,
        Len(30),
        true,
    ),
];

/// `footer-max-line-length.test.ts`, value `"BREAKING CHANGE: a".length`. Its two "multiple
/// lines" tests parse the one-line messages (as written there).
const FOOTER_MAX_LINE_LENGTH: &[Row] = &[
    ("with simple should succeed", "test: subject", None, Len(18), true),
    ("with empty should succeed", "test: subject\nbody", None, Len(18), true),
    (
        "with short should succeed",
        "test: subject\nBREAKING CHANGE: a",
        None,
        Len(18),
        true,
    ),
    (
        "with long should fail",
        "test: subject\nBREAKING CHANGE: ab",
        None,
        Len(18),
        false,
    ),
    (
        "with short with multiple lines should succeed",
        "test: subject\nBREAKING CHANGE: a",
        None,
        Len(18),
        true,
    ),
    (
        "with long with multiple lines should fail",
        "test: subject\nBREAKING CHANGE: ab",
        None,
        Len(18),
        false,
    ),
];

/// `subject-empty.test.ts`.
const SUBJECT_EMPTY: &[Row] = &[
    (
        "without subject should succeed for empty keyword",
        "test: \nbody",
        None,
        Unset,
        true,
    ),
    (
        r#"without subject should fail for "never""#,
        "test: \nbody",
        Some("never"),
        Unset,
        false,
    ),
    (
        r#"without subject should succeed for "always""#,
        "test: \nbody",
        Some("always"),
        Unset,
        true,
    ),
    (
        "with subject fail for empty keyword",
        "test: subject\nbody",
        None,
        Unset,
        false,
    ),
    (
        r#"with subject succeed for "never""#,
        "test: subject\nbody",
        Some("never"),
        Unset,
        true,
    ),
    (
        r#"with subject fail for "always""#,
        "test: subject\nbody",
        Some("always"),
        Unset,
        false,
    ),
];

/// `subject-full-stop.test.ts`.
const SUBJECT_FULL_STOP: &[Row] = &[
    (
        r#"empty against "always" should succeed"#,
        "test:\n",
        Some("always"),
        Stop("."),
        true,
    ),
    (
        r#"empty against "never ." should succeed"#,
        "test:\n",
        Some("never"),
        Stop("."),
        true,
    ),
    (
        r#"with against "always ." should succeed"#,
        "test: subject.\n",
        Some("always"),
        Stop("."),
        true,
    ),
    (
        r#"with against "never ." should fail"#,
        "test: subject.\n",
        Some("never"),
        Stop("."),
        false,
    ),
    (
        r#"without against "always ." should fail"#,
        "test: subject\n",
        Some("always"),
        Stop("."),
        false,
    ),
    (
        r#"without against "never ." should succeed"#,
        "test: subject\n",
        Some("never"),
        Stop("."),
        true,
    ),
    (
        r#"commit message title with standard scope and full-stop against "never ." should fail"#,
        "type(scope): subject.\n",
        Some("never"),
        Stop("."),
        false,
    ),
    (
        r#"commit message title with non standard scope and full-stop against "never ." should fail"#,
        "type.scope: subject.\n",
        Some("never"),
        Stop("."),
        false,
    ),
    (
        r#"ellipsis is not fullstop so commit title ending with it against "never ." should not fail"#,
        "test: subject ends with ellipsis...",
        Some("never"),
        Stop("."),
        true,
    ),
];

/// `type-empty.test.ts`.
const TYPE_EMPTY: &[Row] = &[
    (
        "without type should succeed for empty keyword",
        "(scope):",
        None,
        Unset,
        true,
    ),
    (
        r#"without type should fail for "never""#,
        "(scope):",
        Some("never"),
        Unset,
        false,
    ),
    (
        r#"without type should succeed for "always""#,
        "(scope):",
        Some("always"),
        Unset,
        true,
    ),
    ("with type fail for empty keyword", "type: subject", None, Unset, false),
    (
        r#"with type succeed for "never""#,
        "type: subject",
        Some("never"),
        Unset,
        true,
    ),
    (
        r#"with type fail for "always""#,
        "type: subject",
        Some("always"),
        Unset,
        false,
    ),
];

/// `type-enum.test.ts`.
const TYPE_ENUM: &[Row] = &[
    ("empty succeeds", "(): \n", None, Unset, true),
    (r#"empty on "a" succeeds"#, "(): \n", None, List(&["a"]), true),
    (
        r#"empty on "always a" succeeds"#,
        "(): \n",
        Some("always"),
        List(&["a"]),
        true,
    ),
    (
        r#"empty on "never a" succeeds"#,
        "(): \n",
        Some("never"),
        List(&["a"]),
        true,
    ),
    (
        r#"empty on "always a, b" succeeds"#,
        "(): \n",
        Some("always"),
        List(&["a", "b"]),
        true,
    ),
    (
        r#"empty on "never a, b" succeeds"#,
        "(): \n",
        Some("never"),
        List(&["a", "b"]),
        true,
    ),
    (r#"a on "a" succeeds"#, "a(): \n", None, List(&["a"]), true),
    (
        r#"a on "always a" succeeds"#,
        "a(): \n",
        Some("always"),
        List(&["a"]),
        true,
    ),
    (r#"a on "never a" fails"#, "a(): \n", Some("never"), List(&["a"]), false),
    (r#"b on "b" succeeds"#, "b(): \n", None, List(&["b"]), true),
    (
        r#"b on "always b" succeeds"#,
        "b(): \n",
        Some("always"),
        List(&["b"]),
        true,
    ),
    (r#"b on "never b" fails"#, "b(): \n", Some("never"), List(&["b"]), false),
    (r#"a on "a, b" succeeds"#, "a(): \n", None, List(&["a", "b"]), true),
    (
        r#"a on "always a, b" succeeds"#,
        "a(): \n",
        Some("always"),
        List(&["a", "b"]),
        true,
    ),
    (
        r#"a on "never a, b" fails"#,
        "a(): \n",
        Some("never"),
        List(&["a", "b"]),
        false,
    ),
    (r#"b on "a, b" succeeds"#, "b(): \n", None, List(&["a", "b"]), true),
    (
        r#"b on "always a, b" succeeds"#,
        "b(): \n",
        Some("always"),
        List(&["a", "b"]),
        true,
    ),
    (
        r#"b on "never a, b" fails"#,
        "b(): \n",
        Some("never"),
        List(&["a", "b"]),
        false,
    ),
];

/// `scope-empty.test.ts`.
const SCOPE_EMPTY: &[Row] = &[
    (
        "with plain message it should succeed for empty keyword",
        "foo(bar): baz",
        None,
        Unset,
        true,
    ),
    (
        r#"with plain message it should succeed for "never""#,
        "foo(bar): baz",
        Some("never"),
        Unset,
        true,
    ),
    (
        r#"with plain message it should fail for "always""#,
        "foo(bar): baz",
        Some("always"),
        Unset,
        false,
    ),
    (
        "with superfluous message it should fail for empty keyword",
        "foo(): baz",
        None,
        Unset,
        false,
    ),
    (
        r#"with superfluous message it should fail for "never""#,
        "foo(): baz",
        Some("never"),
        Unset,
        false,
    ),
    (
        r#"with superfluous message it should fail for "always""#,
        "foo(): baz",
        Some("always"),
        Unset,
        true,
    ),
    (
        "with empty message it should fail for empty keyword",
        "foo: baz",
        None,
        Unset,
        false,
    ),
    (
        r#"with empty message it should fail for "never""#,
        "foo: baz",
        Some("never"),
        Unset,
        false,
    ),
    (
        r#"with empty message it should fail for "always""#,
        "foo: baz",
        Some("always"),
        Unset,
        true,
    ),
];

/// `scope-enum.test.ts`, its `describe` blocks joined with ` > `.
const SCOPE_ENUM: &[Row] = &[
    (
        "condition: always > Enum without Scopes > Succeeds with a plain message and 'always'",
        "foo(bar): baz",
        Some("always"),
        List(&[]),
        true,
    ),
    (
        "condition: always > Enum without Scopes > Succeeds with a multiple message and 'always'",
        "foo(bar,baz): qux",
        Some("always"),
        List(&[]),
        true,
    ),
    (
        "condition: always > Enum without Scopes > Succeeds with a multipleCommaSpace message and 'always'",
        "foo(bar, baz): qux",
        Some("always"),
        List(&[]),
        true,
    ),
    (
        "condition: always > Enum without Scopes > Succeeds with a multipleSlash message and 'always'",
        "foo(bar/baz): qux",
        Some("always"),
        List(&[]),
        true,
    ),
    (
        "condition: always > Enum without Scopes > Succeeds with a empty message and 'always'",
        "foo: baz",
        Some("always"),
        List(&[]),
        true,
    ),
    (
        "condition: always > Enum without Scopes > Succeeds with a superfluous message and 'always'",
        "foo(): baz",
        Some("always"),
        List(&[]),
        true,
    ),
    (
        "condition: always > Enum without Scopes > Succeeds with a pipeDelimiter message and 'always'",
        "foo(bar|baz): qux",
        Some("always"),
        List(&[]),
        true,
    ),
    (
        "condition: always > Enum without Scopes > Succeeds with a asteriskDelimiter message and 'always'",
        "foo(bar*baz): qux",
        Some("always"),
        List(&[]),
        true,
    ),
    (
        "condition: always > Enum without Scopes > Succeeds with a multipleCustomDelimiters message and 'always'",
        "foo(bar|baz/qux*xyz): qux",
        Some("always"),
        List(&[]),
        true,
    ),
    (
        "condition: always > Messages without Scopes > Succeeds with a 'empty' message and 'always' with single-scope enum",
        "foo: baz",
        Some("always"),
        List(&["bar"]),
        true,
    ),
    (
        "condition: always > Messages without Scopes > Succeeds with a 'empty' message  and 'always' with multi-scope enum",
        "foo: baz",
        Some("always"),
        List(&["bar", "baz"]),
        true,
    ),
    (
        "condition: always > Messages without Scopes > Succeeds with a 'superfluous' message and 'always' with single-scope enum",
        "foo(): baz",
        Some("always"),
        List(&["bar"]),
        true,
    ),
    (
        "condition: always > Messages without Scopes > Succeeds with a 'superfluous' message  and 'always' with multi-scope enum",
        "foo(): baz",
        Some("always"),
        List(&["bar", "baz"]),
        true,
    ),
    (
        "condition: never > Enum without Scopes > Succeeds with a plain message and 'never'",
        "foo(bar): baz",
        Some("never"),
        List(&[]),
        true,
    ),
    (
        "condition: never > Enum without Scopes > Succeeds with a multiple message and 'never'",
        "foo(bar,baz): qux",
        Some("never"),
        List(&[]),
        true,
    ),
    (
        "condition: never > Enum without Scopes > Succeeds with a multipleCommaSpace message and 'never'",
        "foo(bar, baz): qux",
        Some("never"),
        List(&[]),
        true,
    ),
    (
        "condition: never > Enum without Scopes > Succeeds with a multipleSlash message and 'never'",
        "foo(bar/baz): qux",
        Some("never"),
        List(&[]),
        true,
    ),
    (
        "condition: never > Enum without Scopes > Succeeds with a empty message and 'never'",
        "foo: baz",
        Some("never"),
        List(&[]),
        true,
    ),
    (
        "condition: never > Enum without Scopes > Succeeds with a superfluous message and 'never'",
        "foo(): baz",
        Some("never"),
        List(&[]),
        true,
    ),
    (
        "condition: never > Enum without Scopes > Succeeds with a pipeDelimiter message and 'never'",
        "foo(bar|baz): qux",
        Some("never"),
        List(&[]),
        true,
    ),
    (
        "condition: never > Enum without Scopes > Succeeds with a asteriskDelimiter message and 'never'",
        "foo(bar*baz): qux",
        Some("never"),
        List(&[]),
        true,
    ),
    (
        "condition: never > Enum without Scopes > Succeeds with a multipleCustomDelimiters message and 'never'",
        "foo(bar|baz/qux*xyz): qux",
        Some("never"),
        List(&[]),
        true,
    ),
    (
        "condition: never > Messages without Scopes > Succeeds with a 'empty' message and 'never' with single-scope enum",
        "foo: baz",
        Some("never"),
        List(&["bar"]),
        true,
    ),
    (
        "condition: never > Messages without Scopes > Succeeds with a 'empty' message  and 'never' with multi-scope enum",
        "foo: baz",
        Some("never"),
        List(&["bar", "baz"]),
        true,
    ),
    (
        "condition: never > Messages without Scopes > Succeeds with a 'superfluous' message and 'never' with single-scope enum",
        "foo(): baz",
        Some("never"),
        List(&["bar"]),
        true,
    ),
    (
        "condition: never > Messages without Scopes > Succeeds with a 'superfluous' message  and 'never' with multi-scope enum",
        "foo(): baz",
        Some("never"),
        List(&["bar", "baz"]),
        true,
    ),
    (
        "Always > Single-Scope Messages > Succeeds with a 'plain' message when all message scopes are included in single-scope enum",
        "foo(bar): baz",
        Some("always"),
        List(&["bar"]),
        true,
    ),
    (
        "Always > Single-Scope Messages > Succeeds with a 'plain' message when all message scopes are included in multi-scope enum",
        "foo(bar): baz",
        Some("always"),
        List(&["bar", "baz"]),
        true,
    ),
    (
        "Always > Single-Scope Messages > Fails with a 'plain' message when any message scope is not included in enum",
        "foo(bar): baz",
        Some("always"),
        List(&["foo"]),
        false,
    ),
    (
        "Always > Multi-Scope Messages > Succeeds with a 'multiple' message when all message scopes are included in enum",
        "foo(bar,baz): qux",
        Some("always"),
        List(&["bar", "baz"]),
        true,
    ),
    (
        "Always > Multi-Scope Messages > Fails with a 'multiple' message when no message scopes are included in enum",
        "foo(bar,baz): qux",
        Some("always"),
        List(&["foo"]),
        false,
    ),
    (
        "Always > Multi-Scope Messages > Fails with a 'multiple' message when only some message scopes are included in enum",
        "foo(bar,baz): qux",
        Some("always"),
        List(&["bar"]),
        false,
    ),
    (
        "Always > Multi-Scope Messages > Succeeds with a 'multipleCommaSpace' message when all message scopes are included in enum",
        "foo(bar, baz): qux",
        Some("always"),
        List(&["bar", "baz"]),
        true,
    ),
    (
        "Always > Multi-Scope Messages > Fails with a 'multipleCommaSpace' message when no message scopes are included in enum",
        "foo(bar, baz): qux",
        Some("always"),
        List(&["foo"]),
        false,
    ),
    (
        "Always > Multi-Scope Messages > Fails with a 'multipleCommaSpace' message when only some message scopes are included in enum",
        "foo(bar, baz): qux",
        Some("always"),
        List(&["bar"]),
        false,
    ),
    (
        "Always > Multi-Scope Messages > Succeeds with a 'multipleSlash' message when all message scopes are included in enum",
        "foo(bar/baz): qux",
        Some("always"),
        List(&["bar", "baz"]),
        true,
    ),
    (
        "Always > Multi-Scope Messages > Fails with a 'multipleSlash' message when no message scopes are included in enum",
        "foo(bar/baz): qux",
        Some("always"),
        List(&["foo"]),
        false,
    ),
    (
        "Always > Multi-Scope Messages > Fails with a 'multipleSlash' message when only some message scopes are included in enum",
        "foo(bar/baz): qux",
        Some("always"),
        List(&["bar"]),
        false,
    ),
    (
        "Always > Multi-Scope Messages > Succeeds with a 'multipleSlash' message when the scopes are included in enum",
        "foo(bar/baz): qux",
        Some("always"),
        List(&["bar/baz"]),
        true,
    ),
    (
        "Never > Messages with Scopes > Succeeds with a 'plain' message when no message scopes are included in enum",
        "foo(bar): baz",
        Some("never"),
        List(&["foo"]),
        true,
    ),
    (
        "Never > Messages with Scopes > Fails with a 'plain' message when any message scope is included in single-scope enum",
        "foo(bar): baz",
        Some("never"),
        List(&["bar"]),
        false,
    ),
    (
        "Never > Messages with Scopes > Fails with a 'plain' message when any message scope is included in multi-scope enum",
        "foo(bar): baz",
        Some("never"),
        List(&["bar", "baz"]),
        false,
    ),
    (
        "Never > Messages with Scopes > Succeeds with a 'multiple' message when no message scopes are included in enum",
        "foo(bar,baz): qux",
        Some("never"),
        List(&["foo"]),
        true,
    ),
    (
        "Never > Messages with Scopes > Fails with a 'multiple' message when any message scope is included in single-scope enum",
        "foo(bar,baz): qux",
        Some("never"),
        List(&["bar"]),
        false,
    ),
    (
        "Never > Messages with Scopes > Fails with a 'multiple' message when any message scope is included in multi-scope enum",
        "foo(bar,baz): qux",
        Some("never"),
        List(&["bar", "baz"]),
        false,
    ),
    (
        "Never > Messages with Scopes > Succeeds with a 'multipleCommaSpace' message when no message scopes are included in enum",
        "foo(bar, baz): qux",
        Some("never"),
        List(&["foo"]),
        true,
    ),
    (
        "Never > Messages with Scopes > Fails with a 'multipleCommaSpace' message when any message scope is included in single-scope enum",
        "foo(bar, baz): qux",
        Some("never"),
        List(&["bar"]),
        false,
    ),
    (
        "Never > Messages with Scopes > Fails with a 'multipleCommaSpace' message when any message scope is included in multi-scope enum",
        "foo(bar, baz): qux",
        Some("never"),
        List(&["bar", "baz"]),
        false,
    ),
    (
        "Never > Messages with Scopes > Succeeds with a 'multipleSlash' message when no message scopes are included in enum",
        "foo(bar/baz): qux",
        Some("never"),
        List(&["foo"]),
        true,
    ),
    (
        "Never > Messages with Scopes > Fails with a 'multipleSlash' message when any message scope is included in single-scope enum",
        "foo(bar/baz): qux",
        Some("never"),
        List(&["bar"]),
        false,
    ),
    (
        "Never > Messages with Scopes > Fails with a 'multipleSlash' message when any message scope is included in multi-scope enum",
        "foo(bar/baz): qux",
        Some("never"),
        List(&["bar", "baz"]),
        false,
    ),
    (
        "Never > Messages with Scopes > Fails with a 'multipleSlash' message when the scopes are included in enum",
        "foo(bar/baz): qux",
        Some("never"),
        List(&["bar/baz"]),
        false,
    ),
    (
        "Object-based configuration > Supports object value with default delimiters (/, \\ or ,)",
        "foo(bar, baz): qux",
        Some("always"),
        Delimited(&["bar", "baz"], &[]),
        true,
    ),
    (
        "Object-based configuration > Supports custom single delimiter",
        "foo(bar|baz): qux",
        Some("always"),
        Delimited(&["bar", "baz"], &["|"]),
        true,
    ),
    (
        "Object-based configuration > Supports multiple custom delimiters",
        "foo(bar|baz/qux*xyz): qux",
        Some("always"),
        Delimited(&["bar", "baz", "qux", "xyz"], &["|", "/", "*"]),
        true,
    ),
    (
        "Object-based configuration > Fails when any scope segment is not in enum with custom delimiter",
        "foo(bar|baz): qux",
        Some("always"),
        Delimited(&["bar", "qux"], &["|"]),
        false,
    ),
    (
        "Object-based configuration > Falls back to default delimiters when delimiters is an empty array",
        "foo(bar/baz): qux",
        Some("always"),
        Delimited(&["bar", "baz"], &[]),
        true,
    ),
    (
        "Object-based configuration > Uses object value for 'never' with custom delimiter",
        "foo(bar|baz): qux",
        Some("never"),
        Delimited(&["bar", "baz"], &["|"]),
        false,
    ),
    (
        "Object-based configuration > Handles special characters in delimiters",
        "foo(bar*baz): qux",
        Some("always"),
        Delimited(&["bar", "baz"], &["*"]),
        true,
    ),
];

/// `scope-case.test.ts`. Our config has its `always` only; every row but those with custom
/// delimiters also runs on the rule's function with its own condition (below).
const SCOPE_CASE: &[Row] = &[
    (
        r#"with empty scope should succeed for "never lowercase""#,
        "test: subject",
        Some("never"),
        List(&["lowercase"]),
        true,
    ),
    (
        r#"with empty scope should succeed for "always lowercase""#,
        "test: subject",
        Some("always"),
        List(&["lowercase"]),
        true,
    ),
    (
        r#"with empty scope should succeed for "never uppercase""#,
        "test: subject",
        Some("never"),
        List(&["uppercase"]),
        true,
    ),
    (
        r#"with empty scope should succeed for "always uppercase""#,
        "test: subject",
        Some("always"),
        List(&["uppercase"]),
        true,
    ),
    (
        r#"with empty scope should succeed for "never camelcase""#,
        "test: subject",
        Some("never"),
        List(&["camel-case"]),
        true,
    ),
    (
        r#"with empty scope should succeed for "always camelcase""#,
        "test: subject",
        Some("never"),
        List(&["camel-case"]),
        true,
    ),
    (
        r#"with empty scope should succeed for "never kebabcase""#,
        "test: subject",
        Some("never"),
        List(&["kebab-case"]),
        true,
    ),
    (
        r#"with empty scope should succeed for "always kebabcase""#,
        "test: subject",
        Some("never"),
        List(&["kebab-case"]),
        true,
    ),
    (
        r#"with empty scope should succeed for "never pascalcase""#,
        "test: subject",
        Some("never"),
        List(&["pascal-case"]),
        true,
    ),
    (
        r#"with empty scope should succeed for "always pascalcase""#,
        "test: subject",
        Some("never"),
        List(&["pascal-case"]),
        true,
    ),
    (
        r#"with empty scope should succeed for "never snakecase""#,
        "test: subject",
        Some("never"),
        List(&["snake-case"]),
        true,
    ),
    (
        r#"with empty scope should succeed for "always snakecase""#,
        "test: subject",
        Some("never"),
        List(&["snake-case"]),
        true,
    ),
    (
        r#"with empty scope should succeed for "never startcase""#,
        "test: subject",
        Some("never"),
        List(&["start-case"]),
        true,
    ),
    (
        r#"with empty scope should succeed for "always startcase""#,
        "test: subject",
        Some("never"),
        List(&["start-case"]),
        true,
    ),
    (
        r#"with lowercase scope should fail for "never lowercase""#,
        "test(scope): subject",
        Some("never"),
        List(&["lowercase"]),
        false,
    ),
    (
        r#"with lowercase scope should succeed for "always lowercase""#,
        "test(scope): subject",
        Some("always"),
        List(&["lowercase"]),
        true,
    ),
    (
        r#"with mixedcase scope should succeed for "never lowercase""#,
        "test(sCoPe): subject",
        Some("never"),
        List(&["lowercase"]),
        true,
    ),
    (
        r#"with mixedcase scope should fail for "always lowercase""#,
        "test(sCoPe): subject",
        Some("always"),
        List(&["lowercase"]),
        false,
    ),
    (
        r#"with mixedcase scope should succeed for "never uppercase""#,
        "test(sCoPe): subject",
        Some("never"),
        List(&["uppercase"]),
        true,
    ),
    (
        r#"with kebabcase scope should succeed for "always lowercase""#,
        "test(my-scope): subject",
        Some("always"),
        List(&["lowercase"]),
        true,
    ),
    (
        r#"with kebabcase scope should fail for "always camelcase""#,
        "test(my-scope): subject",
        Some("always"),
        List(&["camel-case"]),
        false,
    ),
    (
        r#"with kebabcase scope should fail for "always pascalcase""#,
        "test(my-scope): subject",
        Some("always"),
        List(&["pascal-case"]),
        false,
    ),
    (
        r#"with kebabcase scope should succeed for "always kebabcase""#,
        "test(my-scope): subject",
        Some("always"),
        List(&["kebab-case"]),
        true,
    ),
    (
        r#"with snakecase scope should succeed for "always lowercase""#,
        "test(my_scope): subject",
        Some("always"),
        List(&["lowercase"]),
        true,
    ),
    (
        r#"with snakecase scope should fail for "always camelcase""#,
        "test(my_scope): subject",
        Some("always"),
        List(&["camel-case"]),
        false,
    ),
    (
        r#"with snakecase scope should fail for "always pascalcase""#,
        "test(my_scope): subject",
        Some("always"),
        List(&["pascal-case"]),
        false,
    ),
    (
        r#"with snakecase scope should succeed for "always snakecase""#,
        "test(my_scope): subject",
        Some("always"),
        List(&["snake-case"]),
        true,
    ),
    (
        r#"with camelcase scope should fail for "always lowercase""#,
        "test(myScope): subject",
        Some("always"),
        List(&["lowercase"]),
        false,
    ),
    (
        r#"with camelcase scope should succeed for "always camelcase""#,
        "test(myScope): subject",
        Some("always"),
        List(&["camel-case"]),
        true,
    ),
    (
        r#"with camelcase scope should fail for "always kebabcase""#,
        "test(myScope): subject",
        Some("always"),
        List(&["kebab-case"]),
        false,
    ),
    (
        r#"with camelcase scope should fail for "always pascalcase""#,
        "test(myScope): subject",
        Some("always"),
        List(&["pascal-case"]),
        false,
    ),
    (
        r#"with pascalcase scope should fail for "always lowercase""#,
        "test(MyScope): subject",
        Some("always"),
        List(&["lowercase"]),
        false,
    ),
    (
        r#"with pascalcase scope should fail for "always kebabcase""#,
        "test(MyScope): subject",
        Some("always"),
        List(&["kebab-case"]),
        false,
    ),
    (
        r#"with pascalcase scope should fail for "always camelcase""#,
        "test(MyScope): subject",
        Some("always"),
        List(&["camel-case"]),
        false,
    ),
    (
        r#"with pascalcase scope should succeed for "always pascalcase""#,
        "test(MyScope): subject",
        Some("always"),
        List(&["pascal-case"]),
        true,
    ),
    (
        r#"with mixedcase scope should fail for "always uppercase""#,
        "test(sCoPe): subject",
        Some("always"),
        List(&["uppercase"]),
        false,
    ),
    (
        r#"with uppercase scope should fail for "never uppercase""#,
        "test(SCOPE): subject",
        Some("never"),
        List(&["uppercase"]),
        false,
    ),
    (
        r#"with uppercase scope should succeed for "always uppercase""#,
        "test(SCOPE): subject",
        Some("always"),
        List(&["uppercase"]),
        true,
    ),
    (
        r#"with uppercase scope should succeed for "always [uppercase, lowercase]""#,
        "test(SCOPE): subject",
        Some("always"),
        List(&["uppercase", "lowercase"]),
        true,
    ),
    (
        r#"with lowercase scope should succeed for "always [uppercase, lowercase]""#,
        "test(scope): subject",
        Some("always"),
        List(&["uppercase", "lowercase"]),
        true,
    ),
    (
        r#"with mixedcase scope should fail for "always [uppercase, lowercase]""#,
        "test(sCoPe): subject",
        Some("always"),
        List(&["uppercase", "lowercase"]),
        false,
    ),
    (
        r#"with mixedcase scope should pass for "always [uppercase, lowercase, camel-case]""#,
        "test(sCoPe): subject",
        Some("always"),
        List(&["uppercase", "lowercase", "camel-case"]),
        true,
    ),
    (
        r#"with mixedcase scope should pass for "never [uppercase, lowercase]""#,
        "test(sCoPe): subject",
        Some("never"),
        List(&["uppercase", "lowercase"]),
        true,
    ),
    (
        r#"with uppercase scope should fail for "never [uppercase, lowercase]""#,
        "test(SCOPE): subject",
        Some("never"),
        List(&["uppercase", "lowercase"]),
        false,
    ),
    (
        r#"with slash in scope should succeed for "always pascal-case""#,
        "feat(Modules/Graph): add Pie Chart",
        Some("always"),
        List(&["pascal-case"]),
        true,
    ),
    (
        r#"with slash in subject should succeed for "always sentence case""#,
        "chore: Update @angular/core",
        Some("always"),
        List(&["sentencecase"]),
        true,
    ),
    (
        r#"with object-based configuration should use default delimiters"#,
        "feat(scope/my-scope, shared-scope): subject",
        Some("always"),
        Delimited(&["kebab-case"], &[]),
        true,
    ),
    (
        r#"with object-based configuration should support custom single delimiter"#,
        "feat(scope|my-scope): subject",
        Some("always"),
        Delimited(&["kebab-case"], &["|"]),
        true,
    ),
    (
        r#"with object-based configuration should support multiple custom delimiters"#,
        "feat(scope|my-scope/shared-scope,common-scope): subject",
        Some("always"),
        Delimited(&["kebab-case"], &["|", "/", ","]),
        true,
    ),
    (
        r#"with object-based configuration should fall back to default delimiters when empty array provided"#,
        "feat(scope/my-scope): subject",
        Some("always"),
        Delimited(&["kebab-case"], &[]),
        true,
    ),
    (
        r#"with object-based configuration should handle special delimiters"#,
        "feat(scope*my-scope): subject",
        Some("always"),
        Delimited(&["kebab-case"], &["*"]),
        true,
    ),
    (
        r#"with object-based configuration should respect "never" when custom delimiter is used"#,
        "feat(scope|my-scope): subject",
        Some("never"),
        Delimited(&["kebab-case"], &["|"]),
        false,
    ),
    (
        r#"with "never" should report only the case that matched"#,
        "test(MyScope): subject",
        Some("never"),
        List(&["sentence-case", "start-case"]),
        false,
    ),
    (
        r#"with "never" should report every case that matched"#,
        "test(MyScope): subject",
        Some("never"),
        List(&["sentence-case", "pascal-case", "start-case"]),
        false,
    ),
    (
        r#"with "always" should report every configured case when none matched"#,
        "test(MyScope): subject",
        Some("always"),
        List(&["upper-case", "kebab-case"]),
        false,
    ),
    (
        r#"with "never" should report every configured case when none matched"#,
        "test(MyScope): subject",
        Some("never"),
        List(&["upper-case", "kebab-case"]),
        true,
    ),
];

/// scope-case's rows, `never` ones too, on [`scope_case_passes`], the function the rule calls
/// (as the subject-case rows run on `subject_case_passes`).
#[test]
fn scope_case_function_agrees_with_commitlints_tests() {
    let mut ran = 0;
    let mut wrong = Vec::new();
    for (name, message, when, value, valid) in SCOPE_CASE {
        let cases = match value {
            List(l) | Delimited(l, []) => *l,
            _ => continue,
        };
        ran += 1;
        let scope = parse(message).scope;
        let passes = scope.is_none_or(|s| scope_case_passes(&s, *when == Some("never"), cases));
        if passes != *valid {
            wrong.push(*name);
        }
    }
    println!(
        "scope-case on the function: {ran} of {} cases, {} disagree",
        SCOPE_CASE.len(),
        wrong.len()
    );
    assert_eq!(ran, 52);
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// (commitlint's test name, message, `commentChar`, (field, value expected)).
type ParseRow = (
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static [(&'static str, Option<&'static str>)],
);

/// A parsed field as `@commitlint/parse` names it; lists joined with ` | `.
fn field(commit: &Commit, name: &str) -> Option<String> {
    let join = |items: Vec<&str>| Some(items.join(" | "));
    match name {
        "type" => commit.kind.clone(),
        "scope" => commit.scope.clone(),
        "subject" => commit.subject.clone(),
        "header" => Some(commit.header.clone()).filter(|h| !h.is_empty()),
        "body" => commit.body.clone(),
        "footer" => commit.footer.clone(),
        "raw" => Some(commit.raw.clone()),
        "mentions" => join(commit.mentions.iter().map(String::as_str).collect()),
        "notes" => join(commit.notes.iter().map(|n| n.title.as_str()).collect()),
        "references" => join(commit.references.iter().map(|r| r.raw.as_str()).collect()),
        "issues" => join(commit.references.iter().map(|r| r.issue.as_str()).collect()),
        "merge" => commit.merge.clone(),
        "revert" => commit.revert.as_ref().map(|r| r.header.clone()),
        _ => panic!("no field {name}"),
    }
}

/// The tests of `@commitlint/parse/src/index.test.ts` that the rules above stand on, with
/// the default options: (test name, message, `commentChar` (here: git's cleanup first, as the
/// commit-msg hook does), fields expected; `Some("")` is an empty list). Left out, as our
/// parser has fixed options and never fails: the two that expect a throw on no message (we
/// report `message-empty`), the four that pass a parser function or a custom `headerPattern`,
/// `issuePrefixes`, `noteKeywords` or `fieldPattern`, the two on array options and
/// incompatible patterns, and the one on custom opts parsing `type(scope)-subject`.
const PARSE: &[ParseRow] = &[
    (
        "returns object with raw message",
        "type(scope): subject",
        None,
        &[("raw", Some("type(scope): subject"))],
    ),
    (
        "returns object with expected keys",
        "message",
        None,
        &[
            ("body", None),
            ("footer", None),
            ("header", Some("message")),
            ("mentions", Some("")),
            ("merge", None),
            ("notes", Some("")),
            ("raw", Some("message")),
            ("references", Some("")),
            ("revert", None),
            ("scope", None),
            ("subject", None),
            ("type", None),
        ],
    ),
    (
        "uses angular grammar",
        "type(scope): subject",
        None,
        &[
            ("body", None),
            ("footer", None),
            ("header", Some("type(scope): subject")),
            ("mentions", Some("")),
            ("merge", None),
            ("notes", Some("")),
            ("raw", Some("type(scope): subject")),
            ("references", Some("")),
            ("revert", None),
            ("scope", Some("scope")),
            ("subject", Some("subject")),
            ("type", Some("type")),
        ],
    ),
    (
        "supports scopes with /",
        "type(some/scope): subject",
        None,
        &[("scope", Some("some/scope")), ("subject", Some("subject"))],
    ),
    (
        "supports scopes with / and empty parserOpts",
        "type(some/scope): subject",
        None,
        &[("scope", Some("some/scope")), ("subject", Some("subject"))],
    ),
    (
        "ignores comments",
        "type(some/scope): subject\n# some comment",
        Some("#"),
        &[("body", None), ("footer", None), ("subject", Some("subject"))],
    ),
    (
        "parses inline references in subject and body",
        "type(some/scope): subject #reference\n\nthings #reference",
        None,
        &[
            ("subject", Some("subject #reference")),
            ("body", Some("")),
            ("footer", Some("things #reference")),
            (
                "references",
                Some("type(some/scope): subject #reference | things #reference"),
            ),
            ("issues", Some("reference | reference")),
        ],
    ),
    (
        "filters comment lines when commentChar is set",
        "type(scope): subject\n# this is a comment\nbody content",
        Some("#"),
        &[
            ("subject", Some("subject")),
            ("body", Some("body content")),
            ("footer", None),
        ],
    ),
    (
        "keep -side notes- in the body section",
        "type(some/scope): subject\n\nCI on master branch caught this:\n\n```\nUnhandled Exception:\nSystem.AggregateException: One or more errors occurred. (Some problem when connecting to 'api.mycryptoapi.com/eth')\n\n--- End of stack trace from previous location where exception was thrown ---\n\nat GWallet.Backend.FSharpUtil.ReRaise (System.Exception ex) [0x00000] in /Users/runner/work/geewallet/geewallet/src/GWallet.Backend/FSharpUtil.fs:206\n...\n```",
        None,
        &[(
            "body",
            Some(
                "CI on master branch caught this:\n\n```\nUnhandled Exception:\nSystem.AggregateException: One or more errors occurred. (Some problem when connecting to 'api.mycryptoapi.com/eth')\n\n--- End of stack trace from previous location where exception was thrown ---\n\nat GWallet.Backend.FSharpUtil.ReRaise (System.Exception ex) [0x00000] in /Users/runner/work/geewallet/geewallet/src/GWallet.Backend/FSharpUtil.fs:206\n...\n```",
            ),
        )],
    ),
    (
        "parses references leading subject",
        "#1 some subject",
        None,
        &[("issues", Some("1"))],
    ),
    (
        "uses permissive default regex without parser opts",
        "chore(component,demo): bump",
        None,
        &[("scope", Some("component,demo"))],
    ),
    (
        "uses permissive default regex with other parser opts",
        "chore(component,demo): bump",
        Some("#"),
        &[("scope", Some("component,demo"))],
    ),
    (
        "works with chinese scope by default",
        "fix(面试评价): 测试",
        Some("#"),
        &[("scope", Some("面试评价")), ("subject", Some("测试"))],
    ),
];

#[test]
fn parse_agrees_with_commitlints_tests() {
    let mut wrong = Vec::new();
    for (name, message, comment, fields) in PARSE {
        let text = match comment {
            Some(c) => cleanup(message, Cleanup::Strip, c),
            None => message.to_string(),
        };
        let commit = parse(&text);
        for (key, want) in *fields {
            let got = field(&commit, key);
            if got.as_deref() != *want {
                wrong.push(format!("{name}: {key} is {got:?}, commitlint {want:?}"));
            }
        }
    }
    println!("parse: {} cases, {} disagree", PARSE.len(), wrong.len());
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
