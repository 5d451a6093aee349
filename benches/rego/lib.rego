# Helpers shared by the Rego versions of kaiji's built-in policies: the
# Rego counterpart of kaiji's policy API (src/policy/api.rs, tls.rs).
#
# input (built by benches/rego.rs from a loaded kaiji Sheet):
#   answers:     {question id: accepted answer word}
#   remarks:     {"n": NFKC-normalised text of 備考 n}
#   cites:       {question id: ["n", ...]} in citation order
#   notes:       {question id: NFKC-normalised inline note}
#   all_remarks: every remark text in number order, joined with "\n"
# data.form (the form, static): ancestors {id: [ids]}, gates {id: true}
package kaiji

answered(id) if input.answers[id]

unanswered(id) if not input.answers[id]

is_yes(id) if input.answers[id] == "はい"

is_na(id) if input.answers[id] == "対象外"

applies(id) if input.answers[id] == "該当"

closed(id) if {
	some a in data.form.ancestors[id]
	data.form.gates[a]
	input.answers[a] == "非該当"
}

in_scope(id) if not closed(id)

# The texts question id cites, in citation order, then its note.
remarks(id) := array.concat(
	[t | some n in input.cites[id]; t := input.remarks[n]],
	[t | t := input.notes[id]],
)

# mentions(): any word (lower-case, NFKC) in the lower-cased texts.
mentions(texts, words) if {
	t := lower(concat("\n", texts))
	some w in words
	contains(t, w)
}

matches(texts, pattern) if regex.match(pattern, concat("\n", texts))

# ── tls_versions (src/policy/tls.rs) ──
# Versions in use as a set of minor numbers 0..3 (TLS 1.0 .. 1.3).
#
# Rego has no loops, so the character scan of tls.rs becomes:
# 1. every version number 1.0..1.3 not followed by a digit or "." is
#    rewritten "X.d" (upper-case X cannot occur in lower-cased text), so a
#    regex can match exactly the numbers tls.rs accepts;
# 2. the text is split at "tls"; each "tls" that starts a word (not dtls;
#    mtls is fine) is parsed on its own. tls.rs skips a "tls" inside a list
#    it has parsed, but that one's list is a suffix of the enclosing one
#    with the same clause, so its versions are a subset: the union is equal;
# 3. one anchored regex takes the list and its clause, a second one its
#    elements, whose separators tell lists from ranges.
# Possible difference: for text whose Unicode lower-casing changes its length
# (e.g. "İ"), tls.rs lower-cases ASCII only and Rego's lower() maps all of
# it, which only the 40-character clause limit could notice.

refusals := [
	"無効", "禁止", "使用しない", "使用せず", "使用不可", "使用していない", "利用しない", "利用せず",
	"利用不可", "利用できない", "使えない", "非対応", "未対応", "対応しない", "対応していない",
	"サポートしない", "サポート外", "廃止", "停止", "許可しない", "不許可", "拒否", "遮断", "予定",
	"検討中", "disable", "not supported", "unsupported", "not used", "not allowed", "deprecated",
	"prohibited", "blocked", "rejected", "planned",
]

or_later := ["以上", "以降", "or later", "or higher", "or above", "or newer", "+"]

below := ["未満", "より前", "より古い", "below", "or lower", "or older", "earlier"]

list_re := `^tls(\s*(?:version|ver\.|ver|v)?\s*X\.[0-3](?:\s*(?:~|-|から|、|,|/|・|と|や|及び|および|並びに|and|or|&|又は|または)\s*(?:tls)?\s*(?:version|ver\.|ver|v)?\s*X\.[0-3])*)\s*([^。、,;\n.()]*)`

elem_re := `(~|-|から)?\s*(?:tls)?\s*(?:version|ver\.|ver|v)?\s*X\.([0-3])`

tls_versions(text) := {v |
	t := regex.replace(lower(text), `1\.([0-3])([^0-9.]|$)`, "X.${1}${2}")
	parts := split(t, "tls")
	count(parts) > 1
	some k in numbers.range(0, count(parts) - 2)
	tls_word(parts, k)
	follow := concat("tls", array.concat([""], array.slice(parts, k + 1, count(parts))))
	some v in list_versions(follow)
}

tls_word(parts, k) if {
	k == 0
	regex.match(`(^|[^a-zA-Z0-9])m?$`, parts[0])
}

tls_word(parts, k) if {
	k > 0
	regex.match(`[^a-zA-Z0-9]m?$`, parts[k])
}

list_versions(f) := vs if {
	m := regex.find_all_string_submatch_n(list_re, f, 1)
	count(m) == 1
	rest := substring(m[0][2], 0, 40)
	not refused(rest)
	elems := regex.find_all_string_submatch_n(elem_re, m[0][1], -1)
	ds := [to_number(e[2]) | some e in elems]
	rng := [r | some e in elems; r := e[1] != ""]
	out := [v | some k in numbers.range(0, count(ds) - 1); some v in contrib(ds, rng, k)]
	last := last_at(ds, rng, count(ds) - 1)
	vs := ({v | some v in out} | later(last, rest)) - popped(out, last, rest)
}

refused(rest) if {
	some w in refusals
	contains(rest, w)
}

# What element k adds: itself after a joiner; after a range separator, the
# versions from the list's last one (exclusive) up to it.
contrib(ds, rng, k) := [ds[k]] if {
	not rng[k]
} else := numbers.range(p + 1, ds[k]) if {
	p := last_at(ds, rng, k - 1)
	ds[k] > p
} else := []

# The last version of the list after element k: a range that adds nothing
# leaves it unchanged, so it is the largest since the last joiner.
last_at(ds, rng, k) := max([ds[j] | some j in numbers.range(s, k)]) if {
	s := max([j | some j in numbers.range(0, k); not rng[j]])
}

later(last, rest) := {v | some v in numbers.range(last + 1, 3)} if {
	strings.any_prefix_match(rest, or_later)
	last < 3
} else := set()

# 「TLS1.2未満」: the bound is dropped (one occurrence of it).
popped(out, last, rest) := {last} if {
	strings.any_prefix_match(rest, below)
	count([1 | some v in out; v == last]) == 1
} else := set()
