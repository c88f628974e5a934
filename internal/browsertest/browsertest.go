// Package browsertest runs headless Chromium for the browser tests (via
// chromedp) and keeps their screenshots as artifacts.
package browsertest

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Environment the browser tests read.
const (
	// RequireEnv=1 turns a missing Chromium into a failure (CI).
	RequireEnv = "CORNERSHOP_REQUIRE_BROWSER"
	// ArtifactsEnv names a directory for screenshots [a temporary one].
	ArtifactsEnv = "CORNERSHOP_TEST_ARTIFACTS"
)

// Chromium returns the path of the Chromium binary, or skips the test
// (fails it when RequireEnv is set); what names the test in the message.
func Chromium(tb testing.TB, what string) string {
	tb.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	msg := "Chromium not found on PATH (Debian: apt-get install chromium); " + what + " browser test skipped"
	if os.Getenv(RequireEnv) == "1" {
		tb.Fatal(msg + ", but " + RequireEnv + "=1 requires it")
	}
	tb.Skip(msg)
	return ""
}

// New starts a headless Chromium (at path, with a fresh profile and a
// width×height window) and returns a tab's context; everything stops at
// cleanup, or after two minutes.
func New(tb testing.TB, path string, width, height int) context.Context {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	tb.Cleanup(cancel)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.WindowSize(width, height),
		// Chromium phones home at start; on a closed network its refused
		// connections must not get in the way.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	tb.Cleanup(cancelAlloc)
	tctx, cancelTab := chromedp.NewContext(actx)
	tb.Cleanup(cancelTab)
	return tctx
}

// KeepScreenshot checks shot is a PNG and writes it as name to the
// artifacts directory, logging where; it returns the file's path.
func KeepScreenshot(tb testing.TB, name string, shot []byte) string {
	tb.Helper()
	cfg, err := png.DecodeConfig(bytes.NewReader(shot))
	if err != nil {
		tb.Fatalf("screenshot is not a PNG: %v", err)
	}
	if cfg.Width < 100 || cfg.Height < 100 {
		tb.Errorf("screenshot is %dx%d", cfg.Width, cfg.Height)
	}
	dir := os.Getenv(ArtifactsEnv)
	if dir == "" {
		dir = tb.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	path, err := filepath.Abs(filepath.Join(dir, name))
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("screenshot (%dx%d): %s", cfg.Width, cfg.Height, path)
	return path
}
