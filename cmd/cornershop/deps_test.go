package main

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// minCrypto is the oldest golang.org/x/crypto the binary may link: the
// release that fixed the last SSH advisories image scanners report
// (GO-2025-4134, GO-2025-4135); the 2021 version an old indirect
// requirement pinned was flagged.
var minCrypto = [3]int{0, 45, 0}

// TestProductionDependencies: the binary a user builds links no cgo
// SQLite driver (the product's SQLite is modernc.org/sqlite, pure Go;
// github.com/mattn/go-sqlite3 serves one benchmark, in a test file) and no
// golang.org/x/crypto older than minCrypto. It reads the module list Go
// stamps into the binary, which is what scanners read too.
func TestProductionDependencies(t *testing.T) {
	out, err := exec.Command("go", "version", "-m", cornershopBinary(t)).CombinedOutput()
	if err != nil {
		t.Fatalf("go version -m: %v\n%s", err, out)
	}
	deps := map[string]string{}
	for line := range strings.Lines(string(out)) {
		if f := strings.Fields(line); len(f) >= 3 && (f[0] == "dep" || f[0] == "=>") {
			deps[f[1]] = f[2]
		}
	}
	if len(deps) == 0 {
		t.Fatalf("no dependencies listed:\n%s", out)
	}
	for _, banned := range []string{"github.com/mattn/go-sqlite3", "gorm.io/driver/sqlite"} {
		if v, ok := deps[banned]; ok {
			t.Errorf("the binary links %s %s", banned, v)
		}
	}
	if _, ok := deps["modernc.org/sqlite"]; !ok {
		t.Error("the binary does not link modernc.org/sqlite")
	}
	v, ok := deps["golang.org/x/crypto"]
	if !ok {
		return // nothing of it linked: nothing to flag
	}
	var got [3]int
	if _, err := fmt.Sscanf(v, "v%d.%d.%d", &got[0], &got[1], &got[2]); err != nil {
		t.Fatalf("golang.org/x/crypto version %q: %v", v, err)
	}
	for i := range got {
		if got[i] != minCrypto[i] {
			if got[i] < minCrypto[i] {
				t.Errorf("golang.org/x/crypto %s is older than v%d.%d.%d", v, minCrypto[0], minCrypto[1], minCrypto[2])
			}
			break
		}
	}
}
