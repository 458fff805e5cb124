// Command provider is the provider program berth's e2e tests run for
// `provider:` services. It keeps a log of each command it is run with (in
// $BERTH_PROVIDER_LOG), publishes metadata that declares its options, and
// answers up with the messages a real provider sends.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

func main() {
	args := os.Args[1:]
	if len(args) == 2 && args[0] == "compose" && args[1] == "metadata" {
		metadata()
		return
	}
	if len(args) < 3 || args[0] != "compose" {
		fmt.Fprintln(os.Stderr, "usage: provider compose --project-name=P up|down|stop [--opt=v…] SERVICE")
		os.Exit(2)
	}
	logLine(strings.Join(args[1:], " "))
	project := strings.TrimPrefix(args[1], "--project-name=")
	command, service := args[2], args[len(args)-1]
	opts := map[string]string{}
	for _, a := range args[3 : len(args)-1] {
		k, v, _ := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		opts[k] = v
	}
	if command != "up" {
		return
	}
	if opts["fail"] != "" {
		send("info", "checking quota")
		send("error", "quota exceeded: "+opts["fail"]+"\nsecond line")
		return
	}
	send("debug", "starting "+service)
	send("info", "provisioning "+service)
	send("setenv", "ENDPOINT=https://"+service+"."+project+".example")
	send("rawsetenv", "REGION="+opts["region"])
}

func send(typ, msg string) {
	b, _ := json.Marshal(map[string]string{"type": typ, "message": msg})
	fmt.Println(string(b))
}

func logLine(s string) {
	path := os.Getenv("BERTH_PROVIDER_LOG")
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer f.Close()
	fmt.Fprintln(f, s)
}

// metadata declares region (required), tier and fail for up, nothing for
// down, and a stop command.
func metadata() {
	fmt.Println(`{"description":"berth test provider",
"up":{"parameters":[{"name":"region","required":true,"type":"string"},{"name":"tier","type":"string"},{"name":"fail","type":"string"}]},
"down":{"parameters":[]},
"stop":{"parameters":[]}}`)
}
