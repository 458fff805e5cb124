package fake

import "strings"

// parseScript splits an sh -c script into statements. It knows words with
// '…' and "…" quoting, ;, newlines, && and ||, and the redirections >, >>
// and >&2; a pipe or a background & makes the statement unknown.
func parseScript(src string) []stmt {
	var out []stmt
	cur := stmt{}
	for _, t := range tokenize(src) {
		switch {
		case !t.op:
			if cur.redirect == "-" {
				cur.redirect = t.s
			} else {
				cur.args = append(cur.args, t.s)
			}
		case t.s == ";" || t.s == "&&" || t.s == "||":
			out = append(out, cur)
			cur = stmt{join: t.s}
		case t.s == ">" || t.s == ">>":
			cur.redirect, cur.appendTo = "-", t.s == ">>"
		case t.s == ">&2":
			cur.toStderr = true
		default:
			cur.unknown = true
		}
	}
	if cur.redirect == "-" {
		cur.unknown = true
	}
	return append(out, cur)
}

type token struct {
	s  string
	op bool
}

// tokenize splits src into words and operators.
func tokenize(src string) []token {
	var toks []token
	var word strings.Builder
	inWord := false
	flush := func() {
		if inWord {
			toks = append(toks, token{s: word.String()})
			word.Reset()
			inWord = false
		}
	}
	for i := 0; i < len(src); i++ {
		ch := src[i]
		switch {
		case ch == '\'' || ch == '"':
			end := strings.IndexByte(src[i+1:], ch)
			if end < 0 {
				end = len(src) - i - 1
			}
			word.WriteString(unescape(src[i+1:i+1+end], ch))
			inWord, i = true, i+1+end
		case ch == ' ' || ch == '\t':
			flush()
		case strings.IndexByte(";\n&|>", ch) >= 0:
			flush()
			op := operator(src[i:])
			toks = append(toks, token{s: op, op: true})
			i += len(op) - 1
		default:
			word.WriteByte(ch)
			inWord = true
		}
	}
	flush()
	return toks
}

// operator is the longest operator at the start of s.
func operator(s string) string {
	for _, op := range []string{">&2", ">>", "&&", "||", ">", ";", "&", "|"} {
		if strings.HasPrefix(s, op) {
			return op
		}
	}
	return ";" // a newline
}

// unescape drops the backslashes of \" and \\ inside double quotes.
func unescape(s string, quote byte) string {
	if quote == '\'' {
		return s
	}
	return strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(s)
}
