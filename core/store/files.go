package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"

	"gorm.io/gorm"

	"cornershop/core"
)

// fileKey is what a file store accepts as a key: it names a file in a
// directory, so no separators and no dots.
var fileKey = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

// Files returns the store's attachment store: PostgreSQL itself (chunked
// bytea in the files and file_chunks tables) on PostgreSQL, so every
// replica sees every file; on SQLite a directory, dir, or when dir is ""
// the database file's name with ".files" appended.
func (s *Store) Files(dir string) (core.Files, error) {
	if s.driver == DriverPostgres {
		return &pgFiles{db: s.db}, nil
	}
	if dir == "" {
		path, ok := sqliteFilePath(s.o.DSN)
		if !ok {
			return nil, errors.New("store: files: an in-memory database needs a files directory")
		}
		dir = path + ".files"
	}
	return NewDirFiles(dir)
}

// counter hashes, counts and sniffs what passes through it, and fails
// past limit bytes.
type counter struct {
	r     io.Reader
	limit int64
	n     int64
	sum   hash.Hash
	head  bytes.Buffer
}

func newCounter(r io.Reader, limit int64) *counter {
	return &counter{r: r, limit: limit, sum: sha256.New()}
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.limit > 0 && c.n > c.limit {
		return 0, fmt.Errorf("over %d bytes: %w", c.limit, core.ErrTooLarge)
	}
	c.sum.Write(p[:n])
	if rest := 512 - c.head.Len(); rest > 0 {
		c.head.Write(p[:min(n, rest)])
	}
	return n, err
}

func (c *counter) stored(key string) core.StoredFile {
	return core.StoredFile{Key: key, Size: c.n, ContentType: http.DetectContentType(c.head.Bytes()), SHA256: hex.EncodeToString(c.sum.Sum(nil))}
}

// DirFiles keeps each file in a directory, readable by the owner only
// (0600, the directory 0700).
type DirFiles struct{ dir string }

var _ core.Files = (*DirFiles)(nil)

// NewDirFiles uses dir, creating it (0700) when missing.
func NewDirFiles(dir string) (*DirFiles, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: files directory: %w", err)
	}
	return &DirFiles{dir: dir}, nil
}

// Dir is the directory the files are in.
func (d *DirFiles) Dir() string { return d.dir }

func (d *DirFiles) path(key string) (string, error) {
	if !fileKey.MatchString(key) {
		return "", fmt.Errorf("store: file key %q: %w", key, core.ErrInvalid)
	}
	return filepath.Join(d.dir, key), nil
}

// Put writes a temporary file and renames it into place, so a reader never
// sees half a file and a crash leaves at most a temporary file.
func (d *DirFiles) Put(_ context.Context, key string, r io.Reader, limit int64) (core.StoredFile, error) {
	path, err := d.path(key)
	if err != nil {
		return core.StoredFile{}, err
	}
	tmp, err := os.CreateTemp(d.dir, ".put-*")
	if err != nil {
		return core.StoredFile{}, fmt.Errorf("store: put file: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename, nothing to remove
	c := newCounter(r, limit)
	_, err = io.Copy(tmp, c)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return core.StoredFile{}, fmt.Errorf("store: put file: %w", err)
	}
	return c.stored(key), nil
}

// Open opens the file.
func (d *DirFiles) Open(_ context.Context, key string) (io.ReadCloser, error) {
	path, err := d.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("store: file %s: %w", key, core.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open file: %w", err)
	}
	return f, nil
}

// Delete removes the file.
func (d *DirFiles) Delete(_ context.Context, key string) error {
	path, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store: delete file: %w", err)
	}
	return nil
}

// fileChunk is the size of one file_chunks row.
const fileChunk = 256 << 10

// pgFiles keeps files in PostgreSQL: a files row and the bytes in
// file_chunks rows of fileChunk bytes.
type pgFiles struct{ db *gorm.DB }

var _ core.Files = (*pgFiles)(nil)

// Put writes the rows in one transaction, a chunk at a time.
func (p *pgFiles) Put(ctx context.Context, key string, r io.Reader, limit int64) (core.StoredFile, error) {
	if !fileKey.MatchString(key) {
		return core.StoredFile{}, fmt.Errorf("store: file key %q: %w", key, core.ErrInvalid)
	}
	c := newCounter(r, limit)
	var sf core.StoredFile
	err := p.db.WithContext(ctx).Transaction(func(g *gorm.DB) error {
		if err := g.Exec("DELETE FROM files WHERE key = ?", key).Error; err != nil {
			return err
		}
		if err := g.Exec("INSERT INTO files (key, size, content_type, sha256) VALUES (?, 0, '', '')", key).Error; err != nil {
			return err
		}
		buf := make([]byte, fileChunk)
		for n := 0; ; n++ {
			got, err := io.ReadFull(c, buf)
			if got > 0 {
				if err := g.Exec("INSERT INTO file_chunks (key, n, data) VALUES (?, ?, ?)", key, n, buf[:got]).Error; err != nil {
					return err
				}
			}
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				break
			}
			if err != nil {
				return err
			}
		}
		sf = c.stored(key)
		return g.Exec("UPDATE files SET size = ?, content_type = ?, sha256 = ? WHERE key = ?", sf.Size, sf.ContentType, sf.SHA256, key).Error
	})
	if err != nil {
		return core.StoredFile{}, fmt.Errorf("store: put file: %w", err)
	}
	return sf, nil
}

// Open checks the file exists and reads its chunks one by one as the
// caller reads.
func (p *pgFiles) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	var n int64
	if err := p.db.WithContext(ctx).Raw("SELECT count(*) FROM files WHERE key = ?", key).Scan(&n).Error; err != nil {
		return nil, fmt.Errorf("store: open file: %w", err)
	}
	if n == 0 {
		return nil, fmt.Errorf("store: file %s: %w", key, core.ErrNotFound)
	}
	return &chunkReader{ctx: ctx, db: p.db, key: key}, nil
}

// Delete removes the file and its chunks (ON DELETE CASCADE).
func (p *pgFiles) Delete(ctx context.Context, key string) error {
	if err := p.db.WithContext(ctx).Exec("DELETE FROM files WHERE key = ?", key).Error; err != nil {
		return fmt.Errorf("store: delete file: %w", err)
	}
	return nil
}

// chunkReader reads a file's chunks in order.
type chunkReader struct {
	ctx  context.Context
	db   *gorm.DB
	key  string
	next int
	buf  []byte
	done bool
}

func (c *chunkReader) Read(p []byte) (int, error) {
	for len(c.buf) == 0 {
		if c.done {
			return 0, io.EOF
		}
		var data []byte
		err := c.db.WithContext(c.ctx).Raw("SELECT data FROM file_chunks WHERE key = ? AND n = ?", c.key, c.next).Row().Scan(&data)
		if errors.Is(err, sql.ErrNoRows) {
			c.done = true
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("store: read file: %w", err)
		}
		c.buf, c.next = data, c.next+1
	}
	n := copy(p, c.buf)
	c.buf = c.buf[n:]
	return n, nil
}

func (c *chunkReader) Close() error { return nil }
