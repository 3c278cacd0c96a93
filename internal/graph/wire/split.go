package wire

// Member is a member of a JSON object: its name and its value's text, a
// slice of the object's text.
type Member struct {
	Name  string
	Value []byte
}

// AppendMembers splits valid JSON text (json.Valid), an object, into its
// members in order, appended to dst, copying nothing but the names. ok is
// false, and the caller decodes data with encoding/json instead, when data
// is not an object or a name is not its own text (an escape, invalid
// UTF-8) or is repeated: there the decoders' rules decide what a name
// means.
func AppendMembers(dst []Member, data []byte) (members []Member, ok bool) {
	members = dst
	w := walker{data: data}
	switch empty, ok := w.open('{', '}'); {
	case !ok:
		return nil, false
	case empty:
		return members, true
	}
	for {
		w.space()
		if w.i >= len(w.data) || w.data[w.i] != '"' {
			return nil, false
		}
		start := w.i
		if w.str(); w.err != nil {
			return nil, false
		}
		text, plain := plainString(w.data[start:w.i])
		if !plain || named(members[len(dst):], text) {
			return nil, false
		}
		name := string(text)
		w.space()
		if w.i >= len(w.data) || w.data[w.i] != ':' {
			return nil, false
		}
		w.i++
		w.space()
		start = w.i
		if !w.skip() || w.err != nil {
			return nil, false
		}
		members = append(members, Member{Name: name, Value: w.data[start:w.i]})
		switch more, ok := w.separator('}'); {
		case !ok:
			return nil, false
		case !more:
			return members, true
		}
	}
}

// Elements splits valid JSON text (json.Valid), an array, into its
// elements' texts, copying nothing; ok is false when data is not an array.
func Elements(data []byte) (elems [][]byte, ok bool) {
	w := walker{data: data}
	switch empty, ok := w.open('[', ']'); {
	case !ok:
		return nil, false
	case empty:
		return [][]byte{}, true
	}
	for {
		w.space()
		start := w.i
		if w.i >= len(w.data) || !w.skip() || w.err != nil {
			return nil, false
		}
		elems = append(elems, w.data[start:w.i])
		switch more, ok := w.separator(']'); {
		case !ok:
			return nil, false
		case !more:
			return elems, true
		}
	}
}

// open consumes the opening bracket of an object or array (open, close:
// '{', '}' or '[', ']') and reports whether it is empty, closed at once;
// ok is false when data does not start with open.
func (w *walker) open(open, close byte) (empty, ok bool) {
	w.space()
	if w.i >= len(w.data) || w.data[w.i] != open {
		return false, false
	}
	w.i++
	w.space()
	if w.i < len(w.data) && w.data[w.i] == close {
		return true, w.end()
	}
	return false, true
}

// separator consumes what follows a member or an element: a comma, and
// then more is true, or the closing bracket close, which must end the text.
func (w *walker) separator(close byte) (more, ok bool) {
	if more, ok = w.next(close); ok && !more {
		w.space()
		ok = w.i == len(w.data)
	}
	return more, ok
}

// next consumes what follows a member or an element: a comma, and then
// more is true, or the closing bracket close.
func (w *walker) next(close byte) (more, ok bool) {
	w.space()
	if w.i >= len(w.data) {
		return false, false
	}
	switch w.data[w.i] {
	case ',':
		w.i++
		return true, true
	case close:
		w.i++
		return false, true
	}
	return false, false
}

// end consumes the closing bracket at w.i and reports whether only
// whitespace follows it.
func (w *walker) end() bool {
	w.i++
	w.space()
	return w.i == len(w.data)
}

// named reports whether one of members is named name.
func named(members []Member, name []byte) bool {
	for _, m := range members {
		if m.Name == string(name) {
			return true
		}
	}
	return false
}
