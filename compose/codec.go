package compose

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sync"

	"github.com/compose-spec/compose-go/v2/types"
)

// The project cache stores a loaded project with this codec rather than
// with encoding/json or encoding/gob: compose-go tags many fields
// `json:"-"` (every Extensions, Project.WorkingDir, ServiceConfig.Name,
// CustomLabels...), its JSON forms are lossy (numbers in extensions come
// back as float64), and gob drops empty maps, empty slices and pointers to
// zero values (a `scale: 0` would vanish). This codec walks the value with
// reflection and writes every exported field, nil apart from empty, so a
// decoded project is reflect.DeepEqual to the one encoded. A value it
// cannot represent exactly (an unexported field that is set, an interface
// holding an unknown type) is an error, and the project is then not cached;
// so is a value whose load read the environment or files the cache does
// not key (refused, projectcache.go).

// maxCodecDepth bounds nesting, so a corrupt entry cannot recurse forever.
const maxCodecDepth = 256

// anyTypes are the dynamic types an interface value (x- extensions, YAML
// leftovers) may hold; the index is written before the value.
var anyTypes = []reflect.Type{
	reflect.TypeFor[string](), reflect.TypeFor[bool](), reflect.TypeFor[int](),
	reflect.TypeFor[int64](), reflect.TypeFor[uint64](), reflect.TypeFor[float64](),
	reflect.TypeFor[map[string]any](), reflect.TypeFor[[]any](), reflect.TypeFor[map[any]any](),
	reflect.TypeFor[types.Extensions](),
}

// encoder appends values to buf.
type encoder struct {
	buf []byte
}

func (e *encoder) uint(u uint64) { e.buf = binary.AppendUvarint(e.buf, u) }

// encode writes v; nil-able kinds start with 0 for nil, else 1 (+ length).
func (e *encoder) encode(v reflect.Value, depth int) error {
	if depth > maxCodecDepth {
		return errors.New("value nested too deeply")
	}
	if err := refused(v); err != nil {
		return err
	}
	switch v.Kind() {
	case reflect.Bool:
		var b uint64
		if v.Bool() {
			b = 1
		}
		e.uint(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.buf = binary.AppendVarint(e.buf, v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.uint(v.Uint())
	case reflect.Float32, reflect.Float64:
		e.uint(math.Float64bits(v.Float()))
	case reflect.String:
		e.uint(uint64(v.Len()))
		e.buf = append(e.buf, v.String()...)
	case reflect.Pointer:
		if v.IsNil() {
			e.uint(0)
			return nil
		}
		e.uint(1)
		return e.encode(v.Elem(), depth+1)
	case reflect.Slice, reflect.Map:
		if v.IsNil() {
			e.uint(0)
			return nil
		}
		e.uint(uint64(v.Len()) + 1)
		return e.elements(v, depth)
	case reflect.Array:
		return e.elements(v, depth)
	case reflect.Struct:
		return e.fields(v, depth)
	case reflect.Interface:
		return e.dynamic(v, depth)
	default:
		return fmt.Errorf("cannot encode a %s", v.Type())
	}
	return nil
}

func (e *encoder) elements(v reflect.Value, depth int) error {
	if v.Kind() == reflect.Map {
		for it := v.MapRange(); it.Next(); {
			if err := e.encode(it.Key(), depth+1); err != nil {
				return err
			}
			if err := e.encode(it.Value(), depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	for i := range v.Len() {
		if err := e.encode(v.Index(i), depth+1); err != nil {
			return err
		}
	}
	return nil
}

// fieldsOf caches, per struct type, which fields are exported: asking
// reflect for each field of each value is most of a decode otherwise.
var fieldsOf sync.Map // reflect.Type -> []bool

func exported(t reflect.Type) []bool {
	if f, ok := fieldsOf.Load(t); ok {
		return f.([]bool)
	}
	f := make([]bool, t.NumField())
	for i := range f {
		f[i] = t.Field(i).IsExported()
	}
	fieldsOf.Store(t, f)
	return f
}

func (e *encoder) fields(v reflect.Value, depth int) error {
	for i, ok := range exported(v.Type()) {
		if !ok {
			// Unreadable, so it can only be restored as zero: compose-go
			// leaves such fields (SecretConfig's marshallContent) zero
			// after a load.
			if !v.Field(i).IsZero() {
				return fmt.Errorf("%s has unexported field %s set", v.Type(), v.Type().Field(i).Name)
			}
			continue
		}
		if err := e.encode(v.Field(i), depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (e *encoder) dynamic(v reflect.Value, depth int) error {
	if v.IsNil() {
		e.uint(0)
		return nil
	}
	inner := v.Elem()
	for i, t := range anyTypes {
		if inner.Type() == t {
			e.uint(uint64(i) + 1)
			return e.encode(inner, depth+1)
		}
	}
	return fmt.Errorf("cannot encode a %s held in %s", inner.Type(), v.Type())
}

// decoder reads what encoder wrote. Every length is checked against the
// bytes left, so a corrupt entry fails instead of allocating wildly.
type decoder struct {
	buf []byte
}

var errCorrupt = errors.New("corrupt cache entry")

func (d *decoder) uint() (uint64, error) {
	u, n := binary.Uvarint(d.buf)
	if n <= 0 {
		return 0, errCorrupt
	}
	d.buf = d.buf[n:]
	return u, nil
}

// length reads a count of items that take at least one byte each.
func (d *decoder) length() (int, error) {
	u, err := d.uint()
	if err != nil || u > uint64(len(d.buf)) {
		return 0, errCorrupt
	}
	return int(u), nil
}

// decode fills v, which is settable and zero.
func (d *decoder) decode(v reflect.Value, depth int) error {
	if depth > maxCodecDepth {
		return errCorrupt
	}
	switch v.Kind() {
	case reflect.Bool:
		u, err := d.uint()
		v.SetBool(u == 1)
		return err
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, n := binary.Varint(d.buf)
		if n <= 0 {
			return errCorrupt
		}
		d.buf = d.buf[n:]
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u, err := d.uint()
		v.SetUint(u)
		return err
	case reflect.Float32, reflect.Float64:
		u, err := d.uint()
		v.SetFloat(math.Float64frombits(u))
		return err
	case reflect.String:
		n, err := d.length()
		if err != nil {
			return err
		}
		v.SetString(string(d.buf[:n]))
		d.buf = d.buf[n:]
	default:
		return d.compound(v, depth)
	}
	return nil
}

func (d *decoder) compound(v reflect.Value, depth int) error {
	switch v.Kind() {
	case reflect.Pointer:
		if set, err := d.uint(); err != nil || set == 0 {
			return err
		}
		v.Set(reflect.New(v.Type().Elem()))
		return d.decode(v.Elem(), depth+1)
	case reflect.Slice:
		return d.slice(v, depth)
	case reflect.Map:
		return d.mapping(v, depth)
	case reflect.Array:
		for i := range v.Len() {
			if err := d.decode(v.Index(i), depth+1); err != nil {
				return err
			}
		}
	case reflect.Struct:
		for i, ok := range exported(v.Type()) {
			if !ok {
				continue
			}
			if err := d.decode(v.Field(i), depth+1); err != nil {
				return err
			}
		}
	case reflect.Interface:
		return d.dynamic(v, depth)
	default:
		return errCorrupt
	}
	return nil
}

// size reads the nil-or-length prefix of a slice or map of t. Items of
// every type but the empty struct take a byte at least.
func (d *decoder) size(t reflect.Type) (n int, isNil bool, err error) {
	u, err := d.uint()
	if err != nil || u == 0 {
		return 0, true, err
	}
	limit := uint64(len(d.buf))
	if t.Kind() == reflect.Slice && t.Elem().Size() == 0 {
		limit = 1 << 16
	}
	if u-1 > limit {
		return 0, false, errCorrupt
	}
	return int(u - 1), false, nil
}

func (d *decoder) slice(v reflect.Value, depth int) error {
	n, isNil, err := d.size(v.Type())
	if err != nil || isNil {
		return err
	}
	v.Set(reflect.MakeSlice(v.Type(), n, n))
	for i := range n {
		if err := d.decode(v.Index(i), depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) mapping(v reflect.Value, depth int) error {
	n, isNil, err := d.size(v.Type())
	if err != nil || isNil {
		return err
	}
	t := v.Type()
	v.Set(reflect.MakeMapWithSize(t, n))
	for range n {
		key, val := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
		if err := d.decode(key, depth+1); err != nil {
			return err
		}
		if err := d.decode(val, depth+1); err != nil {
			return err
		}
		v.SetMapIndex(key, val)
	}
	return nil
}

func (d *decoder) dynamic(v reflect.Value, depth int) error {
	tag, err := d.uint()
	if err != nil || tag == 0 {
		return err
	}
	if tag > uint64(len(anyTypes)) {
		return errCorrupt
	}
	inner := reflect.New(anyTypes[tag-1]).Elem()
	if err := d.decode(inner, depth+1); err != nil {
		return err
	}
	if !inner.Type().AssignableTo(v.Type()) {
		return errCorrupt
	}
	v.Set(inner)
	return nil
}
