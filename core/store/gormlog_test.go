package store

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

// TestGormLogHasNoVerbs: gorm's printf-style messages are logged without
// a literal %v, with the error as an attribute and other arguments left
// out.
func TestGormLogHasNoVerbs(t *testing.T) {
	tests := []struct {
		name, msg string
		args      []any
		want      []string
		notWant   []string
	}{
		{"init error", "failed to initialize database, got error %v", []any{errors.New("connection refused")},
			[]string{`detail="failed to initialize database"`, `err="connection refused"`}, []string{"%v", "got error"}},
		{"a value is left out", "invalid field %s found for %q", []any{"secret-value", "x"},
			[]string{`detail="invalid field found for"`}, []string{"%", "secret-value"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			l := gormLog{log: slog.New(slog.NewTextHandler(&buf, nil))}
			l.Error(context.Background(), tc.msg, tc.args...)
			out := buf.String()
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("log lacks %s: %s", w, out)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(out, w) {
					t.Errorf("log has %s: %s", w, out)
				}
			}
		})
	}
}
