package store_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cornershop/core"
	"cornershop/core/store"
)

// TestFiles: on each backend (a directory, PostgreSQL) a file put is read
// back byte for byte with its size, sniffed type and checksum, replaced by
// a second put, refused over the limit (keeping nothing), and deleted (a
// second delete is fine); a key that could name a path is refused. The
// directory keeps files readable by their owner only.
func TestFiles(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(testing.TB) (core.Files, string)
	}{
		{"dir", func(tb testing.TB) (core.Files, string) {
			s := openSQLite(tb)
			f, err := s.Files("")
			if err != nil {
				tb.Fatal(err)
			}
			return f, f.(*store.DirFiles).Dir()
		}},
		{"postgres", func(tb testing.TB) (core.Files, string) {
			f, err := openPostgres(tb).Files("")
			if err != nil {
				tb.Fatal(err)
			}
			return f, ""
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			fs, dir := tc.open(t)
			png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte("pixels"), 100_000)...) // over two PostgreSQL chunks
			sf, err := fs.Put(ctx, "k1", bytes.NewReader(png), 10<<20)
			if err != nil {
				t.Fatal(err)
			}
			if sf.Size != int64(len(png)) || sf.ContentType != "image/png" || len(sf.SHA256) != 64 {
				t.Errorf("Put = %+v", sf)
			}
			read := func(key string) ([]byte, error) {
				rc, err := fs.Open(ctx, key)
				if err != nil {
					return nil, err
				}
				defer rc.Close()
				return io.ReadAll(rc)
			}
			if got, err := read("k1"); err != nil || !bytes.Equal(got, png) {
				t.Errorf("read back %d bytes, %v; want %d", len(got), err, len(png))
			}
			if _, err := fs.Put(ctx, "k1", strings.NewReader("second"), 100); err != nil {
				t.Fatal(err)
			}
			if got, err := read("k1"); err != nil || string(got) != "second" {
				t.Errorf("after a second put: %q, %v", got, err)
			}
			if _, err := fs.Put(ctx, "big", bytes.NewReader(png), 1000); !errors.Is(err, core.ErrTooLarge) {
				t.Errorf("Put over the limit: %v, want ErrTooLarge", err)
			}
			if _, err := read("big"); !errors.Is(err, core.ErrNotFound) {
				t.Errorf("a refused file was kept: %v", err)
			}
			if _, err := fs.Put(ctx, "../escape", strings.NewReader("x"), 10); !errors.Is(err, core.ErrInvalid) {
				t.Errorf("Put with a path key: %v, want ErrInvalid", err)
			}
			if dir != "" {
				st, err := os.Stat(filepath.Join(dir, "k1"))
				if err != nil || st.Mode().Perm() != 0o600 {
					t.Errorf("file mode = %v, %v; want 0600", st.Mode().Perm(), err)
				}
				if entries, _ := os.ReadDir(dir); len(entries) != 1 {
					t.Errorf("directory holds %d entries, want the one file", len(entries))
				}
			}
			for range 2 {
				if err := fs.Delete(ctx, "k1"); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := read("k1"); !errors.Is(err, core.ErrNotFound) {
				t.Errorf("read after delete: %v, want ErrNotFound", err)
			}
		})
	}
}
