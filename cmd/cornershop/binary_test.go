package main

import (
	"os"
	"testing"

	"cornershop/bots/bottest"
)

// builtBinary is the cornershop binary the process tests run, built once
// per test run.
var builtBinary bottest.Binary

// TestMain removes the binary the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	builtBinary.Remove()
	os.Exit(code)
}

// cornershopBinary builds this package's binary (once) and returns its
// path, for tests that run `cornershop serve` as separate processes.
func cornershopBinary(t *testing.T) string {
	t.Helper()
	return builtBinary.Path(t)
}
