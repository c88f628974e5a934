package bottest

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// Binary is the cornershop binary, built once per test process for tests
// that run `cornershop serve` as separate processes. Declare one per test
// package and Remove it from TestMain.
type Binary struct {
	once sync.Once
	dir  string
	path string
	err  error
	out  []byte
}

// Path builds cmd/cornershop on first use and returns the binary's path.
func (b *Binary) Path(t testing.TB) string {
	t.Helper()
	b.once.Do(func() {
		if b.dir, b.err = os.MkdirTemp("", "cornershop-test-bin-"); b.err != nil {
			return
		}
		b.path = filepath.Join(b.dir, "cornershop")
		b.out, b.err = exec.Command("go", "build", "-o", b.path, "cornershop/cmd/cornershop").CombinedOutput()
	})
	if b.err != nil {
		t.Fatalf("build: %v\n%s", b.err, b.out)
	}
	return b.path
}

// Remove deletes the built binary, if any.
func (b *Binary) Remove() {
	if b.dir != "" {
		_ = os.RemoveAll(b.dir)
	}
}
