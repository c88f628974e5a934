package store

import "testing"

func TestSQLiteFilePath(t *testing.T) {
	cases := []struct {
		dsn, want string
		ok        bool
	}{
		{"cornershop.db", "cornershop.db", true},
		{"/data/c.db?_pragma=foo(1)", "/data/c.db", true},
		{"/data/c.db?mode=ro", "/data/c.db", true}, // a plain name loses its query: opened read-write
		{"file:c.db", "c.db", true},
		{"file:/data/a%20b.db?cache=shared", "/data/a b.db", true},
		{"file:///data/c.db", "/data/c.db", true},
		{"file://localhost/data/c.db", "/data/c.db", true},
		{"file://elsewhere/data/c.db", "", false},
		{"file:/data/c.db?mode=ro", "", false},
		{"file:/data/c.db?immutable=1", "", false},
		{"file:c?mode=memory", "", false},
		{":memory:", "", false},
		{"file::memory:?cache=shared", "", false},
		{"", "", false},
	}
	for _, tc := range cases {
		got, ok := sqliteFilePath(tc.dsn)
		if got != tc.want || ok != tc.ok {
			t.Errorf("sqliteFilePath(%q) = %q, %v; want %q, %v", tc.dsn, got, ok, tc.want, tc.ok)
		}
	}
}
