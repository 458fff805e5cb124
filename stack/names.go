package stack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
)

// Labels docker stack puts on what it creates; berth uses the same, so
// either tool sees the other's stacks.
const (
	LabelNamespace = "com.docker.stack.namespace"
	LabelImage     = "com.docker.stack.image"
	// LabelDigests holds one short digest per field of the spec berth sent
	// (field=digest,…): the next deploy compares them to name what changed,
	// without mistaking the defaults the engine fills in for a change.
	LabelDigests = "io.berth.stack.digests"
	// LabelTask is on each task's container spec: a digest of the task
	// template berth sent, so a wait tells the tasks of the current spec
	// from those of the one before (the engine fills defaults into the
	// service's copy, not the task's, so the two cannot be compared).
	LabelTask = "io.berth.stack.task"
	// LabelObject is the compose key of a secret or config berth created.
	LabelObject = "io.berth.stack.object"
)

// scoped is a stack object's name: <stack>_<name>.
func scoped(stack, name string) string { return stack + "_" + name }

// ServiceName is the Swarm service of a compose service.
func ServiceName(stack, service string) string { return scoped(stack, service) }

// ShortName is the compose service of a Swarm service of the stack.
func ShortName(stack, name string) string { return strings.TrimPrefix(name, stack+"_") }

// digest is a short content digest; with a key it is an HMAC, so a name
// derived from a secret's value cannot be used to test guesses of it.
func digest(key, data []byte) string {
	var sum []byte
	if key != nil {
		m := hmac.New(sha256.New, key)
		m.Write(data)
		sum = m.Sum(nil)
	} else {
		s := sha256.Sum256(data)
		sum = s[:]
	}
	return hex.EncodeToString(sum[:6])
}

// jsonDigest digests a value's JSON; the values are plain data and marshal.
func jsonDigest(v any) string {
	b, _ := json.Marshal(v)
	return digest(nil, b)
}
