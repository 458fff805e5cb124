package stack

import (
	"strings"
	"testing"
)

// TestTranslateWarnings: each loss other than an unsupported key is its
// own warning, naming what is lost.
func TestTranslateWarnings(t *testing.T) {
	p := mustLoad(t, `
services:
  a:
    image: x
    restart: always
    deploy: {restart_policy: {condition: none}}
    environment: [UNSET]
    ports: [{target: 80, published: "8080", host_ip: 127.0.0.1}]
    networks: {n: {ipv4_address: 10.5.0.9}}
networks:
  n: {driver: bridge, ipam: {config: [{subnet: 10.5.0.0/24}]}}`, nil, nil)
	d, err := Resolve(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(append(d.Services[0].Warnings, d.Warnings...), "\n")
	for _, want := range []string{
		"restart: always is overridden by deploy.restart_policy",
		"environment UNSET has no value here; Swarm tasks do not see it",
		"ports: host_ip 127.0.0.1 of port 80 is not kept",
		"networks.n: fixed addresses",
		"network n: driver bridge is local to one engine; the stack uses overlay",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("warnings lack %q:\n%s", want, got)
		}
	}
	if js(d.Networks[0].IPAM) != `[{"Subnet":"10.5.0.0/24","Gateway":"","IPRange":""}]` {
		t.Errorf("ipam %s", js(d.Networks[0].IPAM))
	}
}
