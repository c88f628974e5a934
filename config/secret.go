package config

import (
	"encoding/json"
	"fmt"
	"log/slog"

	"go.yaml.in/yaml/v3"
)

// Secret is a credential. It prints, logs and marshals as "[redacted]" (or
// "" when empty) so it cannot leak through a log line, an error or a dump;
// Reveal returns the value for the one place that needs it.
type Secret struct{ v string }

// NewSecret wraps a credential.
func NewSecret(v string) Secret { return Secret{v: v} }

const redacted = "[redacted]"

// Reveal returns the credential.
func (s Secret) Reveal() string { return s.v }

// IsZero reports whether no credential is set.
func (s Secret) IsZero() bool { return s.v == "" }

// String implements fmt.Stringer without revealing the value.
func (s Secret) String() string {
	if s.v == "" {
		return ""
	}
	return redacted
}

// GoString implements fmt.GoStringer for %#v.
func (s Secret) GoString() string { return `config.Secret("` + s.String() + `")` }

// Format makes every fmt verb print the redacted form.
func (s Secret) Format(f fmt.State, _ rune) {
	_, _ = f.Write([]byte(s.String()))
}

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText implements encoding.TextMarshaler (redacted).
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// MarshalJSON implements json.Marshaler (redacted).
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// MarshalYAML implements yaml.Marshaler (redacted).
func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }

// UnmarshalYAML reads a secret written in the file.
func (s *Secret) UnmarshalYAML(n *yaml.Node) error {
	return n.Decode(&s.v)
}
