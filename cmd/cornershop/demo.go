package main

import (
	"context"
	"errors"
	"io"
)

func cmdDemo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return errors.New("demo: not wired yet")
}

func cmdEmulate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("emulate: not wired yet")
}
