package fake

import (
	"path"
	"strconv"
	"strings"
	"time"
)

// proc is what a program can do inside its container.
type proc interface {
	write(stderr bool, s string)
	sleep(d time.Duration) bool // false: the run was stopped meanwhile
	forever()                   // until the run is stopped
	readFile(name string) (string, bool)
	writeFile(name, data string, appendTo bool)
}

// interpret runs a container's command line; see the package doc for what
// it understands. done is false when the program did not end by itself
// (stopped while sleeping, or a command the fake treats as a server).
func interpret(args []string, p proc) (code int, done bool) {
	if len(args) == 0 {
		p.forever() // the image's own command: a server, as far as the fake knows
		return 0, false
	}
	if path.Base(args[0]) == "sh" && len(args) >= 3 && args[1] == "-c" {
		return script(parseScript(args[2]), p)
	}
	return command(stmt{args: args}, p)
}

// stmt is one simple command of a script and how it joins the one before.
type stmt struct {
	join     string // "", ";", "&&", "||"
	args     []string
	redirect string // file for > or >>
	appendTo bool
	toStderr bool // >&2
	unknown  bool // a shell feature the fake does not have (pipes, &)
}

// script runs statements with the shell's AND-OR rules.
func script(stmts []stmt, p proc) (int, bool) {
	status := 0
	for _, s := range stmts {
		if s.join == "&&" && status != 0 || s.join == "||" && status == 0 {
			continue
		}
		if len(s.args) == 0 && !s.unknown {
			continue
		}
		code, done := command(s, p)
		if !done {
			return code, false
		}
		if len(s.args) > 0 && s.args[0] == "exit" {
			return code, true
		}
		status = code
	}
	return status, true
}

// command runs one simple command.
func command(s stmt, p proc) (int, bool) {
	args := s.args
	if len(args) > 0 && args[0] == "exec" {
		args = args[1:]
	}
	if s.unknown || len(args) == 0 {
		p.forever()
		return 0, false
	}
	out := func(text string) {
		switch {
		case s.redirect != "":
			p.writeFile(s.redirect, text, s.appendTo)
		default:
			p.write(s.toStderr, text)
		}
	}
	switch path.Base(args[0]) {
	case "echo":
		return echo(args[1:], out), true
	case "cat":
		return cat(args[1:], p, out), true
	case "true", ":", "mkdir":
		return 0, true
	case "false":
		return 1, true
	case "touch":
		for _, f := range args[1:] {
			old, _ := p.readFile(f)
			p.writeFile(f, old, false)
		}
		return 0, true
	case "test", "[":
		return test(args[1:], p), true
	case "exit":
		return exitCode(args[1:]), true
	case "sleep":
		return sleep(args[1:], p)
	}
	p.forever() // anything else serves until stopped
	return 0, false
}

func echo(args []string, out func(string)) int {
	nl := "\n"
	if len(args) > 0 && args[0] == "-n" {
		args, nl = args[1:], ""
	}
	out(strings.Join(args, " ") + nl)
	return 0
}

func cat(files []string, p proc, out func(string)) int {
	code := 0
	for _, f := range files {
		data, ok := p.readFile(f)
		if !ok {
			p.write(true, "cat: can't open '"+f+"': No such file or directory\n")
			code = 1
			continue
		}
		out(data)
	}
	return code
}

// test knows -f and -e FILE (with or without the closing ] of "[").
func test(args []string, p proc) int {
	if len(args) > 0 && args[len(args)-1] == "]" {
		args = args[:len(args)-1]
	}
	if len(args) == 2 && (args[0] == "-f" || args[0] == "-e") {
		if _, ok := p.readFile(args[1]); ok {
			return 0
		}
	}
	return 1
}

func exitCode(args []string) int {
	if len(args) == 0 {
		return 0
	}
	n, err := strconv.Atoi(args[0])
	if err != nil {
		return 2
	}
	return n & 0xff
}

// sleep knows seconds (fractions too), the suffixes s, m, h, d, and inf or
// infinity.
func sleep(args []string, p proc) (int, bool) {
	if len(args) == 0 {
		return 1, true
	}
	a := args[0]
	if a == "inf" || a == "infinity" {
		p.forever()
		return 0, false
	}
	unit := time.Second
	for suffix, u := range map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour} {
		if strings.HasSuffix(a, suffix) {
			a, unit = strings.TrimSuffix(a, suffix), u
		}
	}
	f, err := strconv.ParseFloat(a, 64)
	if err != nil || f < 0 {
		return 1, true
	}
	if !p.sleep(time.Duration(f * float64(unit))) {
		return 0, false
	}
	return 0, true
}
