package config

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// referencePath is the configuration reference every key must appear in.
const referencePath = "../docs/configuration.md"

// structKeys lists the key paths of t's leaves: "database.dsn",
// "staff[].identities.slack".
func structKeys(t reflect.Type, path string) []string {
	switch {
	case t == secretType || t == durationType:
		return []string{path}
	case t.Kind() == reflect.Struct:
		var out []string
		for i := range t.NumField() {
			f := t.Field(i)
			if tag := tagName(f); tag != "" && f.IsExported() {
				out = append(out, structKeys(f.Type, join(path, tag))...)
			}
		}
		return out
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct:
		return structKeys(t.Elem(), path+"[]")
	}
	return []string{path}
}

// yamlKeys lists the key paths of n's leaves, as structKeys names them.
func yamlKeys(n *yaml.Node, path string, out map[string]bool) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			yamlKeys(c, path, out)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			yamlKeys(n.Content[i+1], join(path, n.Content[i].Value), out)
		}
	case yaml.SequenceNode:
		if len(n.Content) > 0 && n.Content[0].Kind == yaml.MappingNode {
			for _, c := range n.Content {
				yamlKeys(c, path+"[]", out)
			}
			return
		}
		out[path] = true
	default:
		out[path] = true
	}
}

// TestEveryKeyIsDocumented: every key of the configuration, and every key
// example.yaml sets, appears in docs/configuration.md as `path` (list
// elements as `staff[].name`), so the reference cannot fall behind the code.
func TestEveryKeyIsDocumented(t *testing.T) {
	b, err := os.ReadFile(referencePath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	keys := map[string]bool{}
	for _, k := range structKeys(reflect.TypeFor[Config](), "") {
		keys[k] = true
	}
	var example yaml.Node
	if err := yaml.Unmarshal(Example, &example); err != nil {
		t.Fatal(err)
	}
	inExample := map[string]bool{}
	yamlKeys(&example, "", inExample)
	for k := range inExample {
		if !keys[k] {
			t.Errorf("example.yaml sets %s, which the configuration does not have", k)
		}
		keys[k] = true
	}
	for k := range keys {
		if !strings.Contains(doc, "`"+k+"`") {
			t.Errorf("%s is not documented in %s (write it as `%s`)", k, referencePath, k)
		}
	}
	for _, m := range documentedKey.FindAllStringSubmatch(doc, -1) {
		if !keys[m[1]] {
			t.Errorf("%s documents %s, which the configuration does not have", referencePath, m[1])
		}
	}
}

// documentedKey is a key in the first column of the reference's tables.
var documentedKey = regexp.MustCompile("(?m)^\\| `([a-z_\\[\\].]+)` \\|")
