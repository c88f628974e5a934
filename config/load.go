package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Problem is one thing wrong with a configuration.
type Problem struct {
	Path    string // key path, e.g. "staff[1].roles[0]"
	Message string
}

// String renders the problem as "path: message".
func (p Problem) String() string {
	if p.Path == "" {
		return p.Message
	}
	return p.Path + ": " + p.Message
}

// ValidationError lists every problem found in a configuration.
type ValidationError struct {
	Problems []Problem
}

// Error lists the problems one per line.
func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d configuration problem(s):", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  " + p.String())
	}
	return b.String()
}

// EnvPrefix starts every environment variable cornershop reads.
const EnvPrefix = "CORNERSHOP"

// Load reads the YAML file at path ("" for none), applies CORNERSHOP_*
// environment overrides from getenv and validates the result. A
// *ValidationError lists every problem; other errors mean the file could
// not be read.
func Load(path string, getenv func(string) string) (*Config, error) {
	if path == "" {
		return Parse(nil, "", getenv)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	return Parse(f, path, getenv)
}

// Parse is Load for a YAML document read from r (nil for none); name is
// used in messages.
func Parse(r io.Reader, name string, getenv func(string) string) (*Config, error) {
	cfg := Default()
	var problems []Problem
	if r != nil {
		b, err := io.ReadAll(r)
		if err != nil {
			return nil, fmt.Errorf("config: read %s: %w", name, err)
		}
		problems = append(problems, decode(b, name, cfg)...)
	}
	undecoded := map[string]bool{}
	for _, p := range problems {
		undecoded[p.Path] = true
	}
	problems = append(problems, applyEnv(reflect.ValueOf(cfg).Elem(), EnvPrefix, "", getenv)...)
	fillElementDefaults(cfg)
	problems = append(problems, cfg.validate(undecoded)...)
	if len(problems) > 0 {
		return nil, &ValidationError{Problems: problems}
	}
	return cfg, nil
}

var (
	secretType   = reflect.TypeFor[Secret]()
	durationType = reflect.TypeFor[time.Duration]()
)

// decode reads YAML into cfg, reporting unknown keys with their path and
// line, and values of the wrong type.
func decode(b []byte, name string, cfg *Config) []Problem {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return []Problem{{Message: fmt.Sprintf("%s: %v", name, err)}}
	}
	var problems []Problem
	lines := map[int]string{} // line of a value -> its key path
	checkKeys(&doc, reflect.TypeFor[Config](), "", name, lines, &problems)
	if err := doc.Decode(cfg); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			for _, e := range te.Errors {
				problems = append(problems, typeProblem(e, name, lines))
			}
		} else {
			problems = append(problems, Problem{Message: fmt.Sprintf("%s: %v", name, err)})
		}
	}
	return problems
}

var (
	typeErrLine = regexp.MustCompile(`^line (\d+): (.*)$`)
	quotedValue = regexp.MustCompile(" `[^`]*`")
)

// typeProblem turns one of yaml's "line N: cannot unmarshal !!str `v…`
// into int" into a Problem at the key path on that line, without the
// value (it may be a credential written under the wrong key).
func typeProblem(e, name string, lines map[int]string) Problem {
	m := typeErrLine.FindStringSubmatch(e)
	if m == nil {
		return Problem{Message: name + ": " + quotedValue.ReplaceAllString(e, "")}
	}
	n, _ := strconv.Atoi(m[1])
	return Problem{Path: lines[n], Message: fmt.Sprintf("%s (%s:%d)", plainTypeError(quotedValue.ReplaceAllString(m[2], "")), name, n)}
}

// yamlTypeErr is yaml's wording of a value of the wrong type, without the
// value: "cannot unmarshal !!str into time.Duration".
var yamlTypeErr = regexp.MustCompile(`^cannot unmarshal !!(\w+) into (\S+)$`)

// plainTypeError says what a key wants in the words the reference uses,
// instead of yaml's tags and Go's type names.
func plainTypeError(msg string) string {
	m := yamlTypeErr.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	got := map[string]string{"str": "text", "int": "a number", "bool": "true or false", "float": "a number",
		"map": "a section of keys", "seq": "a list", "null": "nothing"}[m[1]]
	if got == "" {
		got = m[1]
	}
	want := "another type"
	switch t := m[2]; {
	case t == "time.Duration":
		want = "a duration such as 30s or 72h"
	case t == "bool":
		want = "true or false"
	case strings.HasPrefix(t, "int") || strings.HasPrefix(t, "uint"):
		want = "a whole number"
	case t == "string" || t == "config.Secret":
		want = "text"
	case strings.HasPrefix(t, "[]"):
		want = "a list"
	case strings.HasPrefix(t, "config."):
		want = "a section of keys"
	}
	return fmt.Sprintf("want %s, got %s", want, got)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// checkKeys walks the YAML tree along the Go type and reports keys that
// name no field.
func checkKeys(n *yaml.Node, t reflect.Type, path, name string, lines map[int]string, out *[]Problem) {
	if n.Kind == yaml.DocumentNode {
		for _, c := range n.Content {
			checkKeys(c, t, path, name, lines, out)
		}
		return
	}
	if path != "" {
		lines[n.Line] = path // the deepest key on a line wins
	}
	switch {
	case t == secretType || t == durationType:
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		seen := map[string]int{}
		kept := n.Content[:0:0]
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			if first, dup := seen[key]; dup {
				*out = append(*out, Problem{Path: join(path, key), Message: fmt.Sprintf("key given twice (%s:%d and %d)", name, first, n.Content[i].Line)})
				continue // dropped, so decoding reports the rest
			}
			seen[key] = n.Content[i].Line
			kept = append(kept, n.Content[i], n.Content[i+1])
			f, ok := fieldByTag(t, key)
			if !ok {
				*out = append(*out, Problem{Path: join(path, key), Message: fmt.Sprintf("unknown key (%s:%d)", name, n.Content[i].Line)})
				continue
			}
			checkKeys(n.Content[i+1], f.Type, join(path, key), name, lines, out)
		}
		n.Content = kept
	case t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		for i, c := range n.Content {
			checkKeys(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i), name, lines, out)
		}
	}
}

func tagName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	return name
}

func fieldByTag(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		if f := t.Field(i); tagName(f) == key && f.IsExported() {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// applyEnv overrides v's scalar leaves from CORNERSHOP_<PATH> variables:
// nested keys joined by "_", list elements by index, lists of strings
// comma-separated, and Secrets also from <NAME>_FILE.
func applyEnv(v reflect.Value, env, path string, getenv func(string) string) []Problem {
	var problems []Problem
	t := v.Type()
	switch {
	case t == secretType:
		s, file := getenv(env), getenv(env+"_FILE")
		if s != "" && file != "" {
			return []Problem{{Path: path, Message: fmt.Sprintf("both %s and %s_FILE are set: set one", env, env)}}
		}
		if s != "" {
			v.Set(reflect.ValueOf(NewSecret(s)))
		}
		if file != "" {
			b, err := os.ReadFile(file)
			if err != nil {
				return []Problem{{Path: path, Message: fmt.Sprintf("%s_FILE: cannot read the file: %v", env, unwrapPath(err))}}
			}
			v.Set(reflect.ValueOf(NewSecret(strings.TrimRight(string(b), "\r\n"))))
		}
	case t.Kind() == reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			tag := tagName(f)
			if tag == "" || !f.IsExported() {
				continue
			}
			problems = append(problems, applyEnv(v.Field(i), env+"_"+strings.ToUpper(tag), join(path, tag), getenv)...)
		}
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct:
		// Variables may add elements past the file's: CORNERSHOP_STAFF_0_NAME
		// with no staff in the file creates staff[0].
		for i := v.Len(); anyEnvSet(t.Elem(), fmt.Sprintf("%s_%d", env, i), getenv); i++ {
			v.Set(reflect.Append(v, reflect.Zero(t.Elem())))
		}
		for i := range v.Len() {
			problems = append(problems, applyEnv(v.Index(i), fmt.Sprintf("%s_%d", env, i), fmt.Sprintf("%s[%d]", path, i), getenv)...)
		}
	default:
		s := getenv(env)
		if s == "" {
			return nil
		}
		if err := setScalar(v, s); err != nil {
			problems = append(problems, Problem{Path: path, Message: fmt.Sprintf("%s=%q: %v", env, s, err)})
		}
	}
	return problems
}

// anyEnvSet reports whether any variable that would set a leaf of a value
// of type t under the name env is set.
func anyEnvSet(t reflect.Type, env string, getenv func(string) string) bool {
	switch {
	case t == secretType:
		return getenv(env) != "" || getenv(env+"_FILE") != ""
	case t.Kind() == reflect.Struct && t != durationType:
		for i := range t.NumField() {
			f := t.Field(i)
			if tag := tagName(f); tag != "" && f.IsExported() && anyEnvSet(f.Type, env+"_"+strings.ToUpper(tag), getenv) {
				return true
			}
		}
		return false
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct:
		return anyEnvSet(t.Elem(), env+"_0", getenv)
	}
	return getenv(env) != ""
}

// unwrapPath drops the file name from a *os.PathError: the path is the
// operator's own and already in the message's variable name.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func setScalar(v reflect.Value, s string) error {
	switch {
	case v.Type() == durationType:
		d, err := time.ParseDuration(s)
		if err != nil {
			return errors.New("want a duration such as 30s or 72h")
		}
		v.SetInt(int64(d))
	case v.Kind() == reflect.String:
		v.SetString(s)
	case v.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return errors.New("want true or false")
		}
		v.SetBool(b)
	case v.Kind() == reflect.Int || v.Kind() == reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return errors.New("want a whole number")
		}
		v.SetInt(n)
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.String:
		var parts []string
		for p := range strings.SplitSeq(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				parts = append(parts, p)
			}
		}
		v.Set(reflect.ValueOf(parts).Convert(v.Type()))
	default:
		return fmt.Errorf("cannot be set from the environment (%s)", v.Type())
	}
	return nil
}

// fillElementDefaults gives list elements the defaults a Default config
// cannot hold.
func fillElementDefaults(cfg *Config) {
	for i := range cfg.Staff {
		if len(cfg.Staff[i].Roles) == 0 {
			cfg.Staff[i].Roles = []string{"agent"}
		}
	}
	for i := range cfg.Desks {
		if cfg.Desks[i].Kind == "" {
			cfg.Desks[i].Kind = "thread"
		}
	}
}
