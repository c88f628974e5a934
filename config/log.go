package config

import (
	"log/slog"
	"reflect"
	"strconv"
	"time"
)

// LogValue implements slog.LogValuer: the tree as nested groups named by
// their yaml keys, list elements grouped by index, Secrets redacted. It is
// safe to log whole.
func (c *Config) LogValue() slog.Value {
	if c == nil {
		return slog.StringValue("<nil>")
	}
	return logValue(reflect.ValueOf(c).Elem())
}

func logValue(v reflect.Value) slog.Value {
	t := v.Type()
	switch {
	case t == secretType:
		return v.Interface().(Secret).LogValue()
	case t == durationType:
		return slog.DurationValue(time.Duration(v.Int()))
	case t.Kind() == reflect.Struct:
		var attrs []slog.Attr
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && tagName(f) != "" {
				attrs = append(attrs, slog.Attr{Key: tagName(f), Value: logValue(v.Field(i))})
			}
		}
		return slog.GroupValue(attrs...)
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct:
		attrs := make([]slog.Attr, v.Len())
		for i := range v.Len() {
			attrs[i] = slog.Attr{Key: strconv.Itoa(i), Value: logValue(v.Index(i))}
		}
		return slog.GroupValue(attrs...)
	case t.Kind() == reflect.String:
		return slog.StringValue(v.String())
	default:
		return slog.AnyValue(v.Interface())
	}
}
