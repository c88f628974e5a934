package core

import (
	"context"
	"errors"
	"io"
)

// ErrTooLarge is returned by Files.Put for a file over the limit.
var ErrTooLarge = errors.New("file too large")

// StoredFile is what Files.Put kept.
type StoredFile struct {
	Key         string
	Size        int64
	ContentType string // sniffed from the first bytes (net/http's rules)
	SHA256      string // hex
}

// Files is cornershop's own attachment store: files customers and staff
// send are copied into it once when recorded, and deliveries and exports
// read them back from it, so a platform's expiring link or a restart loses
// nothing. core/store implements it with a directory beside the SQLite
// database and with PostgreSQL itself (for replicas).
type Files interface {
	// Put streams r into the store under key (replacing what was there),
	// reading at most limit bytes: ErrTooLarge (and nothing kept) beyond.
	Put(ctx context.Context, key string, r io.Reader, limit int64) (StoredFile, error)
	// Open reads the file at key; ErrNotFound when there is none. The
	// caller closes it.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Delete removes the file at key; a missing file is no error.
	Delete(ctx context.Context, key string) error
}
