//! The README and the manual in `docs/` are held to the program, so they
//! cannot drift from it:
//!
//! - every relative link resolves to a file or directory of the repository,
//!   and every `#anchor` to a heading of its target (GitHub's slugs);
//! - every `kaiji …` command line in a `sh`/`bash`/`console` block parses
//!   with the binary's own clap definitions.
//!
//! The command line is `src/cli/`, a module of the binary only (the library
//! knows no clap, ARCHITECTURE.md). The test includes that module by path,
//! so it calls `try_parse_from` on the very `Cli` the binary parses with —
//! no copy of the flags, no hidden subcommand in the binary, and every
//! check clap makes (unknown flags, missing required arguments, values of
//! enums, conflicts) applies. Parsing touches no file, so placeholders
//! (`SHEET`, `vendors/*.toml`, `<name>`) are fine.

#[path = "../src/cli/mod.rs"]
#[allow(dead_code)]
mod cli;

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::LazyLock;

use clap::Parser;
use clap::error::ErrorKind;
use regex::Regex;

/// The Markdown files held to the program: the README, the architecture
/// notes, the manual (`docs/`) and the examples' notes.
fn doc_files(root: &Path) -> Vec<PathBuf> {
    let mut files = vec![root.join("README.md"), root.join("ARCHITECTURE.md")];
    for dir in ["docs", "examples"] {
        collect_md(&root.join(dir), &mut files);
    }
    files.sort();
    files
}

fn collect_md(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries {
        let p = e.unwrap().path();
        if p.is_dir() {
            collect_md(&p, out);
        } else if p.extension().is_some_and(|x| x == "md") {
            out.push(p);
        }
    }
}

// ---------------------------------------------------------------- Markdown

// Markdown links, HTML tags and what GitHub drops from a heading's text.
static LINK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"!?\[([^\]]*)\]\([^)]*\)").unwrap());
static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"</?[A-Za-z][^>]*>").unwrap());
static DROP: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[^\p{L}\p{M}\p{Nd}\p{Nl}\p{Pc}\- ]").unwrap());
static ATX: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$").unwrap());
static ANCHOR_TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"<a\s+(?:id|name)="([^"]+)""#).unwrap());
static CODE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"`+[^`]*`+").unwrap());
static INLINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+"[^"]*")?\s*\)"#).unwrap());
static REFERENCE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^ {0,3}\[[^\]]+\]:\s*(\S+)").unwrap());
static HTML_LINK: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"(?:href|src)="([^"]+)""#).unwrap());
static SCHEME: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[A-Za-z][A-Za-z0-9+.-]*:").unwrap());
static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^<[^<>\s]+>").unwrap());
static REDIRECT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(?:[0-9]*>>?|<|&>)(&[0-9-])?").unwrap());
static ASSIGN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[A-Za-z_][A-Za-z0-9_]*=").unwrap());

/// A fenced code block: its info string's first word and its lines (with
/// their 1-based line numbers in the file).
struct Block {
    lang: String,
    lines: Vec<(usize, String)>,
}

/// A Markdown file split into the text outside code blocks and the blocks.
struct Doc {
    /// Lines outside fences, with their line numbers.
    text: Vec<(usize, String)>,
    blocks: Vec<Block>,
}

fn split(md: &str) -> Doc {
    let mut doc = Doc { text: Vec::new(), blocks: Vec::new() };
    // The open fence's character, length and indentation.
    let mut open: Option<(char, usize)> = None;
    for (i, line) in md.lines().enumerate() {
        let n = i + 1;
        let t = line.trim_start();
        let fence = |c: char| t.chars().take_while(|&x| x == c).count();
        match open {
            None => {
                let (c, len) = if fence('`') >= 3 { ('`', fence('`')) } else { ('~', fence('~')) };
                if len >= 3 && line.len() - t.len() <= 3 {
                    let lang = t[len..].split_whitespace().next().unwrap_or("").to_lowercase();
                    doc.blocks.push(Block { lang, lines: Vec::new() });
                    open = Some((c, len));
                } else {
                    doc.text.push((n, line.to_string()));
                }
            }
            Some((c, len)) => {
                if fence(c) >= len && t[fence(c)..].trim().is_empty() {
                    open = None;
                } else {
                    doc.blocks.last_mut().unwrap().lines.push((n, line.to_string()));
                }
            }
        }
    }
    doc
}

/// GitHub's anchor for a heading's text: the rendered text lower-cased,
/// everything but letters, marks, decimal and letter numbers, connector
/// punctuation (`_`), `-` and spaces removed, spaces turned into `-`
/// (Japanese is kept; 「」（）、 are punctuation and go).
fn slug(heading: &str) -> String {
    let text = LINK.replace_all(heading, "$1");
    let text = TAG.replace_all(&text, "");
    // Emphasis and code markers are markup, not text.
    let text: String = text.chars().filter(|c| !matches!(c, '`' | '*')).collect();
    DROP.replace_all(&text.trim().to_lowercase(), "").replace(' ', "-")
}

/// The anchors a file's headings (and explicit `<a id|name>`) make, the
/// second heading of one slug getting `-1`, the third `-2`, as on GitHub.
fn anchors(md: &str) -> HashSet<String> {
    // github-slugger's occurrences: a slug taken, and for a heading's own
    // slug how many of its `-N` forms were handed out.
    let mut taken: HashMap<String, usize> = HashMap::new();
    let mut out = HashSet::new();
    for (_, line) in split(md).text {
        for c in ANCHOR_TAG.captures_iter(&line) {
            out.insert(c[1].to_string());
        }
        let Some(c) = ATX.captures(&line) else { continue };
        let base = slug(&c[2]);
        let mut s = base.clone();
        while taken.contains_key(&s) {
            let k = taken.get_mut(&base).unwrap();
            *k += 1;
            s = format!("{base}-{k}");
        }
        taken.insert(s.clone(), 0);
        out.insert(s);
    }
    out
}

/// The link targets on a line of text (inline links and images, reference
/// definitions, HTML `href`/`src`), inline code left out.
fn link_targets(line: &str) -> Vec<String> {
    let line = CODE.replace_all(line, "code");
    let mut out: Vec<String> = Vec::new();
    for re in [&*INLINE, &*REFERENCE, &*HTML_LINK] {
        for c in re.captures_iter(&line) {
            out.push(c[1].trim_start_matches('<').trim_end_matches('>').to_string());
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    let hex = |i: usize| b.get(i).and_then(|&c| (c as char).to_digit(16));
    while i < b.len() {
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (hex(i + 1), hex(i + 2))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `path` (relative to `base`, or to the root when it starts with `/`)
/// made lexical, or `None` when it leaves the repository.
fn resolve(root: &Path, base: &Path, path: &str) -> Option<PathBuf> {
    let start = if path.starts_with('/') { root.to_path_buf() } else { base.to_path_buf() };
    let mut out = start;
    for c in Path::new(path.trim_start_matches('/')).components() {
        match c {
            // The guard pops: `..` goes up, and above the root is refused.
            Component::ParentDir if !out.pop() || !out.starts_with(root) => return None,
            Component::Normal(p) => out.push(p),
            _ => {}
        }
    }
    out.starts_with(root).then_some(out)
}

/// Every broken relative link or anchor in `files`, as `file:line: …`.
fn broken_links(root: &Path, files: &[PathBuf]) -> Vec<String> {
    let mut cache: HashMap<PathBuf, HashSet<String>> = HashMap::new();
    let mut anchors_of = |p: &Path| -> HashSet<String> {
        cache.entry(p.to_path_buf()).or_insert_with(|| anchors(&std::fs::read_to_string(p).unwrap())).clone()
    };
    let mut problems = Vec::new();
    for file in files {
        let md = std::fs::read_to_string(file).unwrap();
        let rel = file.strip_prefix(root).unwrap().display().to_string();
        for (n, line) in split(&md).text {
            for target in link_targets(&line) {
                if SCHEME.is_match(&target) {
                    continue; // https:, mailto: — not the repository's
                }
                let (path, anchor) = match target.split_once('#') {
                    Some((p, a)) => (percent_decode(p), Some(percent_decode(a))),
                    None => (percent_decode(&target), None),
                };
                let dest = if path.is_empty() {
                    file.clone()
                } else {
                    match resolve(root, file.parent().unwrap(), &path) {
                        Some(d) => d,
                        None => {
                            problems.push(format!("{rel}:{n}: `{target}` leaves the repository"));
                            continue;
                        }
                    }
                };
                if !dest.exists() {
                    problems.push(format!("{rel}:{n}: `{target}`: no such file"));
                    continue;
                }
                let Some(anchor) = anchor else { continue };
                if dest.extension().is_none_or(|x| x != "md") {
                    problems.push(format!("{rel}:{n}: `{target}`: an anchor into a file that is not Markdown"));
                } else if !anchors_of(&dest).contains(&anchor) {
                    let mut have: Vec<String> = anchors_of(&dest).into_iter().collect();
                    have.sort();
                    problems.push(format!(
                        "{rel}:{n}: `{target}`: no heading makes `#{anchor}` (it has: {})",
                        have.join(", ")
                    ));
                }
            }
        }
    }
    problems
}

// ---------------------------------------------------------- command lines

/// The shell's words of one line, up to a comment; `None` for an operator
/// (`&&`, `||`, `|`, `;`, `&`) or a redirection, which end a simple
/// command or drop its target. `<NAME>` is a placeholder, not a redirection.
fn shell_words(line: &str) -> Vec<Option<String>> {
    enum Tok {
        Word(String),
        Op,
        Redirect,
    }
    let mut toks = Vec::new();
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '#' {
            break; // a comment to the end of the line
        }
        let rest: String = chars[i..].iter().collect();
        if let Some(m) = PLACEHOLDER.find(&rest) {
            toks.push(Tok::Word(m.as_str().to_string()));
            i += m.as_str().chars().count();
            continue;
        }
        // A redirection: [fd]> >> < &>, its target the next word; 2>&1 has none.
        if let Some(c) = REDIRECT.captures(&rest) {
            i += c[0].len();
            if c.get(1).is_none() {
                toks.push(Tok::Redirect);
            }
            continue;
        }
        if let Some(op) = ["&&", "||", "|", ";", "&"].into_iter().find(|op| rest.starts_with(op)) {
            toks.push(Tok::Op);
            i += op.len();
            continue;
        }
        let mut word = String::new();
        while i < chars.len() && !chars[i].is_whitespace() && !"|;&<>".contains(chars[i]) {
            match chars[i] {
                '\'' => {
                    i += 1;
                    while i < chars.len() && chars[i] != '\'' {
                        word.push(chars[i]);
                        i += 1;
                    }
                    i += 1;
                }
                '"' => {
                    i += 1;
                    while i < chars.len() && chars[i] != '"' {
                        if chars[i] == '\\' && i + 1 < chars.len() && "\"\\$`".contains(chars[i + 1]) {
                            i += 1;
                        }
                        word.push(chars[i]);
                        i += 1;
                    }
                    i += 1;
                }
                '\\' if i + 1 < chars.len() => {
                    word.push(chars[i + 1]);
                    i += 2;
                }
                ch => {
                    word.push(ch);
                    i += 1;
                }
            }
        }
        toks.push(Tok::Word(word));
    }
    let mut out = Vec::new();
    let mut skip_target = false;
    for t in toks {
        match t {
            Tok::Word(_) if skip_target => skip_target = false,
            Tok::Word(w) => out.push(Some(w)),
            Tok::Redirect => skip_target = true,
            Tok::Op => out.push(None),
        }
    }
    out
}

/// kaiji's arguments (with `kaiji` first) if a simple command runs kaiji:
/// `kaiji …`, or `cargo run [OPTIONS] -- …` of the default binary.
fn kaiji_args(words: &[String]) -> Option<Vec<String>> {
    // Leading variable assignments (`KAIJI_BIN=… kaiji …`).
    let words: Vec<&String> = words.iter().skip_while(|w| ASSIGN.is_match(w)).collect();
    match words.first().map(|w| w.as_str()) {
        Some("kaiji") => Some(words.iter().map(|w| w.to_string()).collect()),
        Some("cargo") => {
            let mut rest = words[1..].iter().skip_while(|w| w.starts_with('+'));
            if rest.next().map(|w| w.as_str()) != Some("run") {
                return None;
            }
            let cargo: Vec<&&String> = rest.clone().take_while(|w| w.as_str() != "--").collect();
            // `--example X`, `--bin other`: not kaiji.
            let other = cargo
                .windows(2)
                .any(|p| p[0].as_str() == "--example" || (p[0].as_str() == "--bin" && p[1].as_str() != "kaiji"))
                || cargo
                    .iter()
                    .any(|w| w.starts_with("--example=") || (w.starts_with("--bin=") && w.as_str() != "--bin=kaiji"));
            if other {
                return None;
            }
            let args = rest.skip_while(|w| w.as_str() != "--").skip(1);
            Some(std::iter::once("kaiji".to_string()).chain(args.map(|w| w.to_string())).collect())
        }
        _ => None,
    }
}

/// The kaiji command lines of a Markdown file's shell blocks, with their
/// line numbers. In `console` blocks only the `$ ` lines are commands (the
/// rest is output); in `sh`/`bash`/`shell`/`zsh` blocks every line is, a
/// leading `$ ` dropped. A trailing `\` continues a line.
fn commands(md: &str) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    for block in split(md).blocks {
        let console = block.lang == "console" || block.lang == "shell-session";
        if !console && !["sh", "bash", "shell", "zsh"].contains(&block.lang.as_str()) {
            continue;
        }
        let mut lines = block.lines.iter().peekable();
        while let Some((n, line)) = lines.next() {
            let t = line.trim_start();
            let cmd = if let Some(c) = t.strip_prefix("$ ") {
                c
            } else if console {
                continue;
            } else {
                t
            };
            let mut cmd = cmd.to_string();
            while cmd.ends_with('\\') {
                cmd.pop();
                match lines.next() {
                    Some((_, next)) => cmd.push_str(next),
                    None => break,
                }
            }
            for simple in shell_words(&cmd).split(|w| w.is_none()) {
                let words: Vec<String> = simple.iter().flatten().cloned().collect();
                if let Some(args) = kaiji_args(&words) {
                    out.push((*n, args));
                }
            }
        }
    }
    out
}

/// `Ok` if the binary would accept `args` (`--help` and `--version` count:
/// clap answers them with the help text).
fn parse(args: &[String]) -> Result<(), String> {
    match cli::Cli::try_parse_from(args) {
        Ok(_) => Ok(()),
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => Ok(()),
        Err(e) => Err(e.to_string().lines().next().unwrap_or_default().to_string()),
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

// ------------------------------------------------------------------- tests

#[test]
fn every_relative_link_and_anchor_resolves() {
    let root = root();
    let files = doc_files(&root);
    assert!(files.iter().any(|f| f.ends_with("docs/policies.md")), "{files:?}");
    let problems = broken_links(&root, &files);
    assert!(problems.is_empty(), "broken links:\n{}", problems.join("\n"));
}

#[test]
fn every_kaiji_command_in_the_docs_parses() {
    let root = root();
    let mut seen = Vec::new();
    let mut problems = Vec::new();
    for file in doc_files(&root) {
        let rel = file.strip_prefix(&root).unwrap().display().to_string();
        for (n, args) in commands(&std::fs::read_to_string(&file).unwrap()) {
            if let Err(e) = parse(&args) {
                problems.push(format!("{rel}:{n}: `{}`: {e}", args.join(" ")));
            }
            seen.push(args.join(" "));
        }
    }
    assert!(problems.is_empty(), "command lines the CLI refuses:\n{}", problems.join("\n"));
    // The extraction found the quick start (so it is not vacuous).
    for quick in [
        "kaiji check examples/sheets/",
        "kaiji check examples/documents/ -o report.html",
        "kaiji serve examples/documents/ --open",
    ] {
        assert!(seen.iter().any(|s| s == quick), "`{quick}` not found among {} commands", seen.len());
    }
    assert!(seen.len() >= 30, "only {} kaiji commands found in the docs", seen.len());
}

#[test]
fn a_typo_in_a_flag_fails_the_parse() {
    let md = "```sh\nkaiji check vendors/ --fial-on warning   # a typo\n```\n";
    let cmds = commands(md);
    assert_eq!(cmds.len(), 1);
    let err = parse(&cmds[0].1).unwrap_err();
    assert!(err.contains("--fial-on"), "{err}");
    // The same line spelt right parses, and so do placeholders.
    let ok = "```sh\nkaiji check vendors/ --fail-on warning\nkaiji import <vendor.pdf> -o SHEET.toml\n```\n";
    for (_, args) in commands(ok) {
        parse(&args).unwrap();
    }
    // A wrong value, a missing argument and an unknown subcommand fail too.
    for bad in ["kaiji check x.toml -f htlm", "kaiji diff old.toml", "kaiji chekc x.toml"] {
        let args: Vec<String> = bad.split(' ').map(String::from).collect();
        assert!(parse(&args).is_err(), "{bad}");
    }
}

#[test]
fn command_lines_are_found_as_a_shell_reads_them() {
    let md = r#"
```sh
# a comment line
cargo run --release -- check examples/sheets/   # exits 1
pdftotext -layout v.pdf v.txt && kaiji import v.txt -o "v 1.toml"
kaiji api > POLICY-API.md
kaiji check 'a/*.toml' \
  -f json 2>&1 | jq .summary
cargo run --example make_documents -- examples/documents
cargo run -q -- test policies/ --require-coverage
KAIJI_LOG=1 kaiji lint x.toml
```

```console
$ kaiji lint x.toml
kaiji lint: 1 sheet(s) — output, not a command
```

```text
kaiji not-a-command-in-a-text-block
```
"#;
    let got: Vec<String> = commands(md).into_iter().map(|(n, a)| format!("{n}: {}", a.join("|"))).collect();
    assert_eq!(
        got,
        [
            "4: kaiji|check|examples/sheets/",
            "5: kaiji|import|v.txt|-o|v 1.toml",
            "6: kaiji|api",
            "7: kaiji|check|a/*.toml|-f|json",
            "10: kaiji|test|policies/|--require-coverage",
            "11: kaiji|lint|x.toml",
            "15: kaiji|lint|x.toml",
        ]
    );
}

#[test]
fn slugs_follow_github() {
    assert_eq!(slug("What a person sees is what is read"), "what-a-person-sees-is-what-is-read");
    assert_eq!(slug("Reference: `kaiji api`"), "reference-kaiji-api");
    assert_eq!(slug("When no mark survives: fill in fast"), "when-no-mark-survives-fill-in-fast");
    assert_eq!(slug("Compared with Rego (regorus)"), "compared-with-rego-regorus");
    assert_eq!(slug("読み取れなかった設問があるとき（記入用ブック）"), "読み取れなかった設問があるとき記入用ブック");
    assert_eq!(slug("開発者向け: API"), "開発者向け-api");
    assert_eq!(slug("kaiji serve — ブラウザで開示書を評価する"), "kaiji-serve--ブラウザで開示書を評価する");
    assert_eq!(slug("Inputs: files, directories and globs"), "inputs-files-directories-and-globs");
    assert_eq!(slug("snake_case and [a link](x.md)"), "snake_case-and-a-link");
    let a = anchors(
        "# A\n## Same\n```sh\n# Same (a comment, not a heading)\n```\n### Same\n## Same\n<a id=\"custom\"></a>\n",
    );
    let mut a: Vec<_> = a.into_iter().collect();
    a.sort();
    assert_eq!(a, ["a", "custom", "same", "same-1", "same-2"]);
}

#[test]
fn a_broken_link_or_anchor_is_reported() {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().canonicalize().unwrap();
    std::fs::create_dir(root.join("docs")).unwrap();
    std::fs::write(root.join("docs/a.md"), "# A\n\n## 免除（waivers）\n\n## Twice\n\n## Twice\n").unwrap();
    std::fs::write(root.join("x.rs"), "").unwrap();
    let readme = "\
[ok](docs/a.md) [ok](docs/a.md#免除waivers) [ok](docs/a.md#twice-1) [ok](docs/a.md#%E5%85%8D%E9%99%A4waivers)
[ok](#top) [ok](https://example.org/nowhere) [ok](docs) `[not a link](nowhere.md)`
[missing](docs/b.md)
[anchor](docs/a.md#waivers)
[third](docs/a.md#twice-2)
[outside](../elsewhere.md)
[not md](x.rs#L1)
[here](#nowhere)
```sh
[in a block](nowhere.md)
```
# Top
";
    std::fs::write(root.join("README.md"), readme).unwrap();
    let problems = broken_links(&root, &[root.join("README.md"), root.join("docs/a.md")]);
    let lines: Vec<&str> = problems.iter().map(|p| p.split(": `").next().unwrap()).collect();
    assert_eq!(
        lines,
        ["README.md:3", "README.md:4", "README.md:5", "README.md:6", "README.md:7", "README.md:8"],
        "{problems:#?}"
    );
    assert!(problems[0].contains("no such file"), "{}", problems[0]);
    assert!(
        problems[1].contains("no heading makes `#waivers`") && problems[1].contains("免除waivers"),
        "{}",
        problems[1]
    );
    assert!(problems[3].contains("leaves the repository"), "{}", problems[3]);
}
