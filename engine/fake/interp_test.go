package fake

import (
	"testing"
	"time"
)

// recorder is a proc that records output and files and whose sleeps take
// no time; forever returns at once.
type recorder struct {
	stdout, stderr string
	files          map[string]string
	slept          time.Duration
	endless        bool
}

func (r *recorder) write(stderr bool, s string) {
	if stderr {
		r.stderr += s
	} else {
		r.stdout += s
	}
}
func (r *recorder) sleep(d time.Duration) bool { r.slept += d; return true }
func (r *recorder) forever()                   { r.endless = true }
func (r *recorder) readFile(n string) (string, bool) {
	s, ok := r.files[n]
	return s, ok
}
func (r *recorder) writeFile(n, data string, appendTo bool) {
	if appendTo {
		data = r.files[n] + data
	}
	r.files[n] = data
}

func TestInterpret(t *testing.T) {
	for _, tc := range []struct {
		args           []string
		code           int
		done           bool
		stdout, stderr string
		slept          time.Duration
	}{
		{args: []string{"echo", "a", "b"}, done: true, stdout: "a b\n"},
		{args: []string{"/bin/echo", "-n", "x"}, done: true, stdout: "x"},
		{args: []string{"true"}, done: true},
		{args: []string{"false"}, code: 1, done: true},
		{args: []string{"sleep", "1.5"}, done: true, slept: 1500 * time.Millisecond},
		{args: []string{"sleep", "2m"}, done: true, slept: 2 * time.Minute},
		{args: []string{"sleep", "infinity"}},
		{args: []string{"nginx", "-g", "daemon off;"}},
		{args: nil},
		{args: []string{"sh", "-c", "exit 3"}, code: 3, done: true},
		{args: []string{"sh", "-c", "echo 'a  b'; echo \"c;d\" >&2; exit 4; echo never"}, code: 4, done: true, stdout: "a  b\n", stderr: "c;d\n"},
		{args: []string{"sh", "-c", "false && echo no || echo yes"}, done: true, stdout: "yes\n"},
		{args: []string{"sh", "-c", "true && echo yes || echo no"}, done: true, stdout: "yes\n"},
		{args: []string{"sh", "-c", "false"}, code: 1, done: true},
		{args: []string{"sh", "-c", "echo hi > /f; echo more >>/f; cat /f"}, done: true, stdout: "hi\nmore\n"},
		{args: []string{"sh", "-c", "cat /missing"}, code: 1, done: true, stderr: "cat: can't open '/missing': No such file or directory\n"},
		{args: []string{"sh", "-c", "touch /r && test -f /r && [ -e /r ] && echo ok"}, done: true, stdout: "ok\n"},
		{args: []string{"sh", "-c", "echo a\necho b"}, done: true, stdout: "a\nb\n"},
		{args: []string{"sh", "-c", "echo start; exec node server.js"}, stdout: "start\n"},
		{args: []string{"sh", "-c", "yes | head"}},
		{args: []string{"sh", "-c", "exit 300"}, code: 44, done: true},
	} {
		r := &recorder{files: map[string]string{}}
		code, done := interpret(tc.args, r)
		if code != tc.code || done != tc.done || r.stdout != tc.stdout || r.stderr != tc.stderr || r.slept != tc.slept {
			t.Errorf("%q: code %d done %v stdout %q stderr %q slept %v; want %d %v %q %q %v",
				tc.args, code, done, r.stdout, r.stderr, r.slept, tc.code, tc.done, tc.stdout, tc.stderr, tc.slept)
		}
		if !done && !r.endless && tc.slept == 0 {
			t.Errorf("%q: did not end and did not wait", tc.args)
		}
	}
}
