package config

import _ "embed"

// Example is a complete, commented configuration: the reference for every
// key. It validates once its secrets are given.
//
//go:embed example.yaml
var Example []byte
