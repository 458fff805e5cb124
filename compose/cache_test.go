package compose

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"berth/project"
)

// rich uses every common key, so the cached project is compared field by
// field against compose-go's own result.
const rich = `name: rich
x-common: &common
  labels:
    shared: "yes"
  x-note: {depth: 2, list: [1, 2.5, "three", true, null]}
services:
  web:
    <<: *common
    build:
      context: ./web
      dockerfile: Dockerfile.dev
      args: {VERSION: "1.2", EMPTY: null}
      target: dev
      labels: [a=b]
      cache_from: [web:cache]
      ssh: [default]
      x-build: {k: v}
    image: web:${TAG:-latest}
    command: ["sh", "-c", "echo $$HOME"]
    entrypoint: /bin/entry
    environment:
      SET: value
      FROM_ENV: ${FROM_ENV}
      NIL:
      EMPTY: ""
    env_file:
      - web.env
      - path: optional.env
        required: false
    label_file: web.labels
    labels:
      com.example.role: front
    ports:
      - "8080:80"
      - "127.0.0.1:9000-9001:9000-9001/udp"
      - target: 443
        published: "8443"
        protocol: tcp
        mode: host
        name: https
    volumes:
      - ./data:/data:ro
      - named:/named
      - /abs:/abs:rw,z
      - type: bind
        source: ./src
        target: /src
        bind: {create_host_path: true, propagation: rprivate}
      - type: volume
        source: named
        target: /vol
        volume: {nocopy: true, subpath: sub}
      - type: tmpfs
        target: /tmp
        tmpfs: {size: 64m, mode: 0o1777}
      - type: image
        source: busybox
        target: /img
        image: {subpath: bin}
      - /anon
    tmpfs: [/run]
    healthcheck:
      test: ["CMD", "true"]
      interval: 30s
      timeout: 1m30s
      retries: 3
      start_period: 5s
      start_interval: 1s
    deploy:
      mode: replicated
      replicas: 2
      labels: {d: e}
      resources:
        limits: {cpus: "0.5", memory: 256M, pids: 100}
        reservations: {cpus: "0.25", memory: 64M}
      restart_policy: {condition: on-failure, delay: 5s, max_attempts: 3, window: 2m}
    secrets:
      - token
      - source: cert
        target: /run/cert.pem
        uid: "100"
        mode: 0400
    configs:
      - app
      - source: inline
        target: /etc/inline
    networks:
      front:
        aliases: [www, site]
        ipv4_address: 172.28.0.10
        priority: 10
      back: {}
    ulimits:
      nproc: 65535
      nofile: {soft: 20000, hard: 40000}
    sysctls:
      net.core.somaxconn: 1024
    depends_on:
      db:
        condition: service_healthy
        restart: true
      cache:
        condition: service_started
        required: false
    stop_grace_period: 1m5s
    stop_signal: SIGTERM
    shm_size: 128m
    cap_add: [NET_ADMIN]
    cap_drop: [ALL]
    dns: [8.8.8.8]
    extra_hosts: ["host.docker.internal:host-gateway", "other=10.0.0.1"]
    logging: {driver: json-file, options: {max-size: 10m}}
    devices: ["/dev/null:/dev/nullx:rwm"]
    init: true
    read_only: true
    privileged: false
    restart: unless-stopped
    user: "1000:1000"
    working_dir: /app
    hostname: web
    gpus: all
    x-web: [1, {a: b}]
  db:
    image: postgres
    healthcheck:
      disable: true
    environment: [A=1, B]
    volumes: [dbdata:/var/lib/postgresql/data]
    networks: [back]
    expose: ["5432"]
  cache:
    image: redis
    network_mode: "none"
    scale: 0
    pull_policy: never
    mem_limit: 1g
    cpus: 1.5
  admin:
    image: admin
    profiles: [ops]
networks:
  front:
    driver: bridge
    ipam:
      config:
        - subnet: 172.28.0.0/16
          gateway: 172.28.0.1
    labels: [n=1]
    x-net: true
  back:
    internal: true
  outside:
    external: true
    name: real-outside
volumes:
  named: {}
  dbdata:
    driver: local
    driver_opts: {type: none, o: bind, device: /srv}
  ext:
    external: true
secrets:
  token:
    file: ./token.txt
  cert:
    environment: CERT
configs:
  app:
    file: ./app.conf
  inline:
    content: |
      key=${FROM_ENV}
x-top: {n: 7}
`

// richFiles are rich's compose file and the files it names.
var richFiles = map[string]string{
	"compose.yaml": rich, "web.env": "FROM_FILE=1\nSET=overridden\n", "web.labels": "lf=1\n",
	"token.txt": "t", "app.conf": "c", ".env": "TAG=7\n",
}

// sameProject fails unless got is indistinguishable from want for berth:
// deeply equal, equal config hashes, equal `config` output.
func sameProject(t *testing.T, got, want *types.Project) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("projects differ:\n%#v\nwant\n%#v", got, want)
	}
	if len(want.Services) == 0 {
		t.Fatal("no services to compare")
	}
	for name, s := range want.Services {
		if g, w := project.ConfigHash(got.Services[name]), project.ConfigHash(s); g != w {
			t.Errorf("config hash of %s: %s, want %s", name, g, w)
		}
	}
	gy, err1 := got.MarshalYAML()
	wy, err2 := want.MarshalYAML()
	gj, err3 := got.MarshalJSON()
	wj, err4 := want.MarshalJSON()
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
		t.Fatal(err1, err2, err3, err4)
	}
	if !bytes.Equal(gy, wy) || !bytes.Equal(gj, wj) {
		t.Errorf("config output differs:\n%s\nwant\n%s", gy, wy)
	}
}

// entryFile is the one stored project below cacheHome.
func entryFile(t *testing.T, cacheHome string) string {
	t.Helper()
	entries, _ := filepath.Glob(filepath.Join(cacheHome, "berth", projectCacheName, "[0-9a-f]*"))
	if len(entries) != 1 {
		t.Fatalf("stored projects: %v, want one", entries)
	}
	return entries[0]
}

// rewriteEntry replaces the project stored in file by edit's.
func rewriteEntry(t *testing.T, file string, env types.Mapping, edit func(*types.Project)) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	key := filepath.Base(file)
	p, err := decodeEntry(key, b, env)
	if err != nil {
		t.Fatal(err)
	}
	edit(p)
	d := &decoder{buf: b[len(projectMagic)+sha256.Size:]}
	var names []string
	if d.decode(reflect.ValueOf(&names).Elem(), 0) != nil {
		t.Fatal("undecodable names")
	}
	if b, err = encodeEntry(key, names, p); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func image(t *testing.T, dir, cacheHome string) string {
	t.Helper()
	p, _, err := Load(t.Context(), Options{WorkingDir: dir, Environ: []string{"XDG_CACHE_HOME=" + cacheHome}})
	if err != nil {
		t.Fatal(err)
	}
	return p.Services["web"].Image
}

func TestProjectCacheServesEntryAndIgnoresCorruptOnes(t *testing.T) {
	dir, cacheHome := t.TempDir(), t.TempDir()
	writeFiles(t, dir, map[string]string{"compose.yaml": web})
	wantEqual(t, "first load", image(t, dir, cacheHome), "nginx")
	file := entryFile(t, cacheHome)
	rewriteEntry(t, file, types.Mapping{}, func(p *types.Project) {
		s := p.Services["web"]
		s.Image = "from-cache"
		p.Services["web"] = s
	})
	wantEqual(t, "load with an entry", image(t, dir, cacheHome), "from-cache")

	good, _ := os.ReadFile(file)
	for name, bad := range map[string][]byte{
		"empty":     nil,
		"truncated": good[:len(good)/2],
		"flipped":   append(slices.Clone(good[:len(good)-1]), good[len(good)-1]^1),
		"garbage":   bytes.Repeat([]byte{0xff}, 4096),
	} {
		if err := os.WriteFile(file, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		wantEqual(t, name+" entry", image(t, dir, cacheHome), "nginx")
		if b, _ := os.ReadFile(file); bytes.Equal(b, bad) {
			t.Errorf("%s entry was not replaced", name)
		}
	}
}

func TestPruneProjectsKeepsTheNewest(t *testing.T) {
	dir := t.TempDir()
	base := time.Now()
	for i := range 5 {
		name := filepath.Join(dir, fmt.Sprintf("e%d", i))
		writeFiles(t, dir, map[string]string{filepath.Base(name): "x"})
		at := base.Add(time.Duration(i) * time.Minute)
		if err := os.Chtimes(name, at, at); err != nil {
			t.Fatal(err)
		}
	}
	pruneProjects(dir, 2)
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	wantEqual(t, "kept", strings.Join(names, ","), "e3,e4")
}

// TestProjectCacheStoresNothingThatReadTheEnvironment: each construct for
// which compose-go reads the environment or a file by itself keeps the
// project out of the cache (an entry may record that the probe failed), so
// a changed variable or file shows in the next load as it does without a
// cache.
func TestProjectCacheStoresNothingThatReadTheEnvironment(t *testing.T) {
	const head = "services:\n  web:\n    image: busybox\n"
	for name, c := range map[string]struct{ compose, file string }{
		"bare environment list":  {head + "    environment: [V]\n", ""},
		"bare environment map":   {head + "    environment: {V: null}\n", ""},
		"build args":             {head + "    build: {context: ., args: [V]}\n", ""},
		"secret from a variable": {head + "secrets:\n  s: {environment: V}\n", ""},
		"config from a variable": {head + "configs:\n  c: {environment: V}\n", ""},
		"env_file":               {head + "    env_file: [f]\n", "A=${V:-unset}\n"},
		"label_file":             {head + "    label_file: f\n", "A=${V:-unset}\n"},
		"pre_start hook":         {head + "    pre_start: [{command: [x], environment: [V]}]\n", ""},
		"bare entry, unset":      {head + "    environment: [V2]\n", ""},
		"bare entry beside":      {head + "    environment: {A: x, V: null}\n", ""},
	} {
		t.Run(name, func(t *testing.T) {
			dir, cacheHome := t.TempDir(), t.TempDir()
			writeFiles(t, dir, map[string]string{"compose.yaml": c.compose, "f": "A=1\n"})
			load := func(cacheHome string, v ...string) *types.Project {
				p, _, err := Load(t.Context(), Options{WorkingDir: dir, Environ: append([]string{"XDG_CACHE_HOME=" + cacheHome}, v...)})
				if err != nil {
					t.Fatal(err)
				}
				delete(p.Environment, "XDG_CACHE_HOME")
				return p
			}
			load(cacheHome, "V=one")
			stored, _ := filepath.Glob(filepath.Join(cacheHome, "berth", projectCacheName, "*"))
			for _, f := range stored {
				if _, hit, _ := cachedProject(f, types.Mapping{"V": "one"}); hit {
					t.Fatalf("stored a project in %s", f)
				}
			}
			if c.file != "" {
				writeFiles(t, dir, map[string]string{"f": c.file})
			}
			// V2 is set only now: a lookup that found nothing matters too.
			sameProject(t, load(cacheHome, "V=two", "V2=set"), load(t.TempDir(), "V=two", "V2=set"))
		})
	}
}

// TestProjectCodecRoundTrip: the codec gives back a deeply equal project
// for everything rich uses but what the cache refuses, which is cleared.
func TestProjectCodecRoundTrip(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, richFiles)
	fresh, _, err := Load(t.Context(), Options{WorkingDir: dir, Profiles: []string{"ops"},
		Environ: []string{"FROM_ENV=env", "CERT=pem"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := encodeEntry("k", nil, fresh); err == nil {
		t.Fatal("a project with environment, env_file and build was encoded")
	}
	for _, all := range []types.Services{fresh.Services, fresh.DisabledServices} {
		for name, s := range all {
			s.Build, s.Environment, s.EnvFiles, s.LabelFiles = nil, nil, nil, nil
			all[name] = s
		}
	}
	delete(fresh.Secrets, "cert")
	fresh.Environment = nil
	b, err := encodeEntry("k", []string{"FROM_ENV", "TAG"}, fresh)
	if err != nil {
		t.Fatal(err)
	}
	for _, set := range []types.Mapping{{"FROM_ENV": "other"}, {"TAG": ""}} {
		if _, err := decodeEntry("k", b, set); err == nil {
			t.Errorf("an entry was decoded though a variable it looked up is set: %v", set)
		}
	}
	got, err := decodeEntry("k", b, types.Mapping{"OTHER": "x"})
	if err != nil {
		t.Fatal(err)
	}
	sameProject(t, got, fresh)
}

// TestProjectCacheServesExplicitEnvironment: a project whose environment
// entries all have values, and whose variables are all unset, is stored and
// served while they stay unset; setting one is a miss, never the stale
// project, and the load with it set is not stored.
func TestProjectCacheServesExplicitEnvironment(t *testing.T) {
	dir, cacheHome := t.TempDir(), t.TempDir()
	writeFiles(t, dir, map[string]string{"compose.yaml": "services:\n  web:\n    image: busybox\n    environment: {A: x, B: '${V:-dflt}', C: '$${NOT}'}\n"})
	o := Options{WorkingDir: dir, Environ: []string{"XDG_CACHE_HOME=" + cacheHome, "OTHER=1"}}
	fresh, _, err := Load(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	entry := entryFile(t, cacheHome)
	o.Environ[1] = "OTHER=2" // not looked up: still a hit
	if _, hit := wouldSkip(o); !hit {
		t.Fatal("an explicit environment was not stored")
	}
	cached, _, err := Load(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	delete(fresh.Environment, "OTHER")
	delete(cached.Environment, "OTHER")
	sameProject(t, cached, fresh)
	wantEqual(t, "B", *cached.Services["web"].Environment["B"], "dflt")

	stored, _ := os.ReadFile(entry)
	for _, v := range []string{"V=one", "V="} {
		o.Environ[1] = v
		if skip, hit := wouldSkip(o); skip || hit {
			t.Fatalf("%s: skips validation %v, served %v, want a full load", v, skip, hit)
		}
		p, _, err := Load(t.Context(), o)
		if err != nil {
			t.Fatal(err)
		}
		wantEqual(t, v+": B", *p.Services["web"].Environment["B"], map[string]string{"V=one": "one", "V=": "dflt"}[v])
		if now, _ := os.ReadFile(entry); !bytes.Equal(now, stored) {
			t.Errorf("%s: the load with a set variable rewrote the stored entry", v)
		}
		entryFile(t, cacheHome) // still exactly one
	}
}

// TestCachesRememberNoSetVariable: a load that found a variable set, from
// the process environment or .env, leaves no trace in either cache: no
// line, no entry, and neither the value nor its SHA-256 in any file under
// the cache directory; with the variable unset the same files are
// remembered.
func TestCachesRememberNoSetVariable(t *testing.T) {
	const compose = "services:\n  db:\n    image: postgres:${TAG:-16}\n    environment: {POSTGRES_PASSWORD: '${DB_PASSWORD:-}'}\n"
	const pin = "pin4821" // a short secret; "pin" keeps it out of hex digests
	for name, c := range map[string]struct {
		environ []string
		dotenv  string
	}{
		"environment": {[]string{"DB_PASSWORD=" + pin}, ""},
		".env":        {nil, "DB_PASSWORD=" + pin + "\n"},
		"default":     {[]string{"TAG=" + pin}, ""},
		"empty":       {[]string{"DB_PASSWORD=", "TAG=" + pin}, ""},
	} {
		t.Run(name, func(t *testing.T) {
			dir, cacheHome := t.TempDir(), t.TempDir()
			files := map[string]string{"compose.yaml": compose}
			if c.dotenv != "" {
				files[".env"] = c.dotenv
			}
			writeFiles(t, dir, files)
			o := Options{WorkingDir: dir, Environ: append([]string{"XDG_CACHE_HOME=" + cacheHome}, c.environ...)}
			for range 2 {
				p, _, err := Load(t.Context(), o)
				if err != nil {
					t.Fatal(err)
				}
				if skip, hit := wouldSkip(o); skip || hit {
					t.Fatalf("skips validation %v, served %v, want neither", skip, hit)
				}
				db := p.Services["db"]
				if got := db.Image + " " + *db.Environment["POSTGRES_PASSWORD"]; !strings.Contains(got, pin) {
					t.Fatalf("the project lost its point: %s", got)
				}
			}
			sum := sha256.Sum256([]byte(pin))
			noFileHolds(t, cacheHome, pin, string(sum[:]), fmt.Sprintf("%x", sum))
			if b, _ := os.ReadFile(validCacheFile(o.Environ)); len(b) != 0 {
				t.Errorf("validation cache: %q, want nothing", b)
			}
			if stored, _ := filepath.Glob(filepath.Join(cacheHome, "berth", projectCacheName, "*")); len(stored) != 0 {
				t.Errorf("stored projects: %v, want none", stored)
			}

			// Unset, the same files are remembered by both caches.
			writeFiles(t, dir, map[string]string{".env": "UNUSED=" + pin + "\n"})
			o.Environ = o.Environ[:1]
			if _, _, err := Load(t.Context(), o); err != nil {
				t.Fatal(err)
			}
			if skip, hit := wouldSkip(o); !skip || !hit {
				t.Fatalf("all unset: skips validation %v, served %v, want both", skip, hit)
			}
			noFileHolds(t, cacheHome, pin, string(sum[:]), fmt.Sprintf("%x", sum))
		})
	}
}

// noFileHolds fails if a file below dir contains one of values.
func noFileHolds(t *testing.T, dir string, values ...string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, v := range values {
			if bytes.Contains(b, []byte(v)) {
				t.Errorf("%s holds %q", path, v)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
