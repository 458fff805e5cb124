package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"
)

// asker asks a yes/no question on stdin, no by default; yes answers every
// question yes without asking. It takes the answers either of Docker
// Compose's prompts takes: y and yes (a terminal's), y, true and 1 (piped
// input's).
func (a *app) asker(yes bool) func(question string) bool {
	in := bufio.NewReader(a.stdin)
	return func(question string) bool {
		if yes {
			return true
		}
		fmt.Fprintf(a.stdout, "%s [y/N] ", question)
		line, _ := in.ReadString('\n')
		answer := strings.ToLower(strings.TrimSpace(line))
		fmt.Fprintln(a.stdout)
		switch answer {
		case "y", "yes", "true", "1":
			return true
		}
		return false
	}
}

// confirm asks the questions of up and create (recreate a volume whose
// settings changed?) as Docker Compose does: on stdout, the answer read
// from stdin, a terminal or not; no input, or an interrupt, answers no.
func (a *app) confirm(ctx context.Context) func(question string) bool {
	ask := a.asker(false)
	return func(question string) bool {
		if ctx.Err() != nil { // a read may still be pending: ask nothing more
			return false
		}
		answer := make(chan bool, 1)
		go func() { answer <- ask(question) }()
		select {
		case yes := <-answer:
			return yes
		case <-ctx.Done():
			return false
		}
	}
}
