package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"cornershop/config"
)

// composeFile is deploy/compose.yaml as far as the tests read it.
type composeFile struct {
	Services map[string]composeService `yaml:"services"`
	Secrets  map[string]struct {
		File string `yaml:"file"`
	} `yaml:"secrets"`
	Volumes map[string]any `yaml:"volumes"`
}

type composeService struct {
	Image string `yaml:"image"`
	Build struct {
		Context    string `yaml:"context"`
		Dockerfile string `yaml:"dockerfile"`
	} `yaml:"build"`
	Command     []string          `yaml:"command"`
	User        string            `yaml:"user"`
	Environment map[string]string `yaml:"environment"`
	Secrets     []string          `yaml:"secrets"`
	Ports       []string          `yaml:"ports"`
	Volumes     []string          `yaml:"volumes"`
	Healthcheck struct {
		Test []string `yaml:"test"`
	} `yaml:"healthcheck"`
	DependsOn map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
	Restart string `yaml:"restart"`
}

// composeInterpolation is a ${NAME:?message} the operator sets in .env.
var composeInterpolation = regexp.MustCompile(`\$\{([A-Z_]+):\?[^}]*\}`)

// dockerfileLine is the first Dockerfile instruction named instr.
func dockerfileLine(t *testing.T, dockerfile []byte, instr string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + instr + ` (.+)$`).FindSubmatch(dockerfile)
	if m == nil {
		t.Fatalf("the Dockerfile has no %s", instr)
	}
	return strings.TrimSpace(string(m[1]))
}

// TestComposeFile: deploy/compose.yaml is what docs/operations.md says it
// is. PostgreSQL has a health check the service waits for; both restart
// unless stopped; every token and the database address come from
// declared secrets; the service runs as the image's non-root user with a
// named volume on the image's /data; the image, command and port are the
// Dockerfile's; every variable it sets is a configuration key, and the
// configuration they make passes check-config. There is no Docker engine
// here: when docker-compose is installed, it checks the file too.
func TestComposeFile(t *testing.T) {
	path := filepath.Join(repoRoot, "deploy", "compose.yaml")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(raw, &c); err != nil {
		t.Fatalf("deploy/compose.yaml: %v", err)
	}
	dockerfile, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	db, app := c.Services["db"], c.Services["cornershop"]
	if len(db.Healthcheck.Test) == 0 || !slices.Contains(db.Healthcheck.Test, "pg_isready") {
		t.Errorf("db health check = %q, want pg_isready", db.Healthcheck.Test)
	}
	if got := app.DependsOn["db"].Condition; got != "service_healthy" {
		t.Errorf("cornershop depends_on db condition = %q, want service_healthy", got)
	}
	for name, s := range c.Services {
		if s.Restart != "unless-stopped" {
			t.Errorf("%s restart = %q, want unless-stopped", name, s.Restart)
		}
		for _, secret := range s.Secrets {
			if _, ok := c.Secrets[secret]; !ok || c.Secrets[secret].File == "" {
				t.Errorf("%s uses secret %s, not declared with a file", name, secret)
			}
		}
	}

	// The image, as the Dockerfile builds it and the docs name it.
	if want := dockerfileLine(t, dockerfile, "USER"); app.User != want {
		t.Errorf("cornershop user = %q, want the Dockerfile's %q", app.User, want)
	}
	if uid, _, _ := strings.Cut(app.User, ":"); uid == "" || uid == "0" || uid == "root" {
		t.Errorf("cornershop runs as %q, want a non-root user", app.User)
	}
	if cmd := dockerfileLine(t, dockerfile, "CMD"); len(app.Command) == 0 || !strings.Contains(cmd, `"`+app.Command[0]+`"`) {
		t.Errorf("cornershop command = %q, want the Dockerfile's CMD %s", app.Command, cmd)
	}
	if !strings.Contains(dockerfileLine(t, dockerfile, "ENTRYPOINT"), "cornershop") {
		t.Error("the Dockerfile's ENTRYPOINT is not cornershop")
	}
	if filepath.Clean(filepath.Join(repoRoot, "deploy", app.Build.Context, app.Build.Dockerfile)) != filepath.Clean(filepath.Join(repoRoot, "Dockerfile")) {
		t.Errorf("cornershop builds %s/%s, want the repository's Dockerfile", app.Build.Context, app.Build.Dockerfile)
	}
	ops, err := os.ReadFile(filepath.Join(repoRoot, "docs", "operations.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"-t " + app.Image + " ", "deploy/compose.yaml"} {
		if !bytes.Contains(ops, []byte(want)) {
			t.Errorf("docs/operations.md does not say %q", want)
		}
	}
	data := dockerfileLine(t, dockerfile, "VOLUME")
	i := slices.IndexFunc(app.Volumes, func(v string) bool { return strings.HasSuffix(v, ":"+data) })
	if i < 0 {
		t.Errorf("cornershop volumes %q mount nothing on the image's %s", app.Volumes, data)
	} else if vol, _, _ := strings.Cut(app.Volumes[i], ":"); c.Volumes == nil || !hasKey(c.Volumes, vol) {
		t.Errorf("%s is mounted from %q, not a declared named volume (which takes the image's owner, 65532)", data, vol)
	}
	_, port, _ := strings.Cut(app.Environment["CORNERSHOP_HTTP_LISTEN"], ":")
	if expose := dockerfileLine(t, dockerfile, "EXPOSE"); port != expose || !slices.ContainsFunc(app.Ports, func(p string) bool { return strings.HasSuffix(p, ":"+port) }) {
		t.Errorf("cornershop listens on %q and publishes %q; the Dockerfile exposes %s", port, app.Ports, expose)
	}

	// Its variables: all configuration keys, secrets only from files,
	// and a configuration check-config accepts.
	dir := t.TempDir()
	env := map[string]string{}
	var environ []string
	for k, v := range app.Environment {
		environ = append(environ, k+"="+v)
		if secretName(k) && !strings.HasSuffix(k, "_FILE") {
			t.Errorf("%s is given in the file: a secret belongs in a secrets: file (%s_FILE)", k, k)
		}
		if f, ok := strings.CutPrefix(v, "/run/secrets/"); ok {
			if !slices.Contains(app.Secrets, f) {
				t.Errorf("%s reads /run/secrets/%s, a secret cornershop is not given", k, f)
			}
			v = filepath.Join(dir, f)
			if err := os.WriteFile(v, []byte("x-secret-"+f), 0o600); err != nil {
				t.Fatal(err)
			}
		} else if strings.HasSuffix(k, "_FILE") {
			t.Errorf("%s = %q, not a /run/secrets/ file", k, v)
		}
		env[k] = composeInterpolation.ReplaceAllString(v, "-1001234567890")
	}
	for _, p := range config.UnknownEnv(environ) {
		t.Errorf("deploy/compose.yaml sets %s: %s", p.Path, p.Message)
	}
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"check-config"}, envOf(env), &stdout, &stderr); err != nil {
		t.Errorf("check-config on the compose file's variables: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	if out := stdout.String() + stderr.String(); !strings.Contains(out, "configuration ok") || strings.Contains(out, "warning") {
		t.Errorf("check-config said:\n%s", out)
	}

	t.Run("docker-compose config", func(t *testing.T) {
		bin, err := exec.LookPath("docker-compose")
		if err != nil {
			t.Skip("docker-compose is not installed (Debian: apt-get install docker-compose); the checks above still ran")
		}
		check := func(env ...string) (string, error) {
			cmd := exec.Command(bin, "-f", path, "config", "-q")
			cmd.Env = append(os.Environ(), env...)
			out, err := cmd.CombinedOutput()
			return string(out), err
		}
		if out, err := check("DESK_CHAT_ID=-1001234567890", "STAFF_TELEGRAM_ID=100001"); err != nil {
			t.Errorf("docker-compose config: %v\n%s", err, out)
		}
		if out, err := check(); err == nil || !strings.Contains(out, "DESK_CHAT_ID") {
			t.Errorf("without .env, docker-compose config = %v, %q; want an error naming DESK_CHAT_ID", err, out)
		}
	})
}

// secretName reports whether a variable names a secret by its name.
func secretName(k string) bool {
	for _, s := range []string{"TOKEN", "SECRET", "DSN", "PASSWORD"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

func hasKey(m map[string]any, k string) bool { _, ok := m[k]; return ok }
