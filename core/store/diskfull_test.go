//go:build linux

package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"cornershop/core"
	"cornershop/core/store"
)

// TestDiskFullAcknowledgesOnlyWhatIsRecorded fills a small disk (a 96 MB
// tmpfs, all but 2 MB of it taken by a ballast file: a freshly migrated
// store checkpoints ≈ 0.7 MB of schema) under a backlog until
// SQLite cannot write, then frees the ballast and works on. Every message
// whose transaction reported success must be readable after the store is
// reopened, writes that failed must have said so, and once space is back
// the backlog must not fill the disk again through the write-ahead log
// (1,600 more messages grew it to ≈ 100 MB before the log was bounded).
// Skipped where mounting a tmpfs is not permitted (no CAP_SYS_ADMIN).
func TestDiskFullAcknowledgesOnlyWhatIsRecorded(t *testing.T) {
	if testing.Short() {
		t.Skip("mounts a tmpfs and works a backlog of 1,600 messages (-short)")
	}
	const size = 96 << 20
	dir := mountTmpfs(t, size)
	ballast := filepath.Join(dir, "ballast")
	if err := os.WriteFile(ballast, make([]byte, size-2<<20), 0o600); err != nil {
		t.Fatalf("ballast: %v", err)
	}
	ctx := context.Background()
	path := filepath.Join(dir, "full.db")
	s, err := store.Open(ctx, store.Options{Driver: store.DriverSQLite, DSN: path, AutoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()
	convs := backlogConversations(t, s, 20)

	// Write until the disk is full, and a little past it.
	var acked []core.MessageID
	failures := 0
	for i := 0; failures < 50 && i < 100_000; i++ {
		id, err := recordMessage(ctx, s, convs[i%len(convs)], i)
		if err != nil {
			failures++
			continue
		}
		acked = append(acked, id)
	}
	if failures == 0 {
		t.Fatalf("%d messages recorded and the disk never filled", len(acked))
	}
	t.Logf("%d messages recorded before the disk was full", len(acked))

	// Space back: the backlog goes on, and the log must not fill the disk.
	if err := os.Remove(ballast); err != nil {
		t.Fatal(err)
	}
	peak := watchWAL(t, path)
	stop := keepReading(t, s, path)
	for i := range 1_600 {
		id, err := recordMessage(ctx, s, convs[i%len(convs)], 100_000+i)
		if err != nil {
			stop()
			t.Fatalf("message %d after space came back: %v (write-ahead log %d bytes)", i, err, walSize(t, path))
		}
		acked = append(acked, id)
	}
	stop()
	if got := peak(); got > walBound {
		t.Errorf("the write-ahead log reached %d bytes once space was back, want at most %d", got, walBound)
	}

	// Everything acknowledged is there after a restart.
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if s, err = store.Open(ctx, store.Options{Driver: store.DriverSQLite, DSN: path}); err != nil {
		t.Fatal(err)
	}
	err = s.InTx(ctx, func(tx core.Tx) error {
		for _, id := range acked {
			if _, err := tx.Message(id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("a message acknowledged as recorded cannot be read after the restart: %v", err)
	}
}

// mountTmpfs mounts a tmpfs of size bytes on a fresh directory until the
// test ends, or skips the test where mounting is not permitted.
func mountTmpfs(t *testing.T, size int) string {
	t.Helper()
	dir := t.TempDir()
	err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d,mode=0700", size))
	if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES) {
		t.Skipf("cannot mount a tmpfs to fill (%v): needs root with CAP_SYS_ADMIN", err)
	}
	if err != nil {
		t.Fatalf("mount tmpfs: %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}
