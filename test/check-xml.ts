/**
 * A minimal, strict XML 1.0 well-formedness checker and parser for the JUnit reporter tests
 * (no DTDs, no namespaces processing): throws on any malformation, returns the element tree.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_:][A-Za-z0-9_.:-]*/;

function decode(s: string, at: number): string {
  return s.replace(/&([^;]*);?/g, (m, ent: string) => {
    if (!m.endsWith(';')) throw new Error(`bare & near offset ${at}`);
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (ent in named) return named[ent]!;
    const num = /^#(x[0-9A-Fa-f]+|[0-9]+)$/.exec(ent);
    if (!num) throw new Error(`unknown entity &${ent}; near offset ${at}`);
    const code = num[1]!.startsWith('x') ? parseInt(num[1]!.slice(1), 16) : parseInt(num[1]!, 10);
    const ok = code === 9 || code === 10 || code === 13 || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
    if (!ok) throw new Error(`character reference &${ent}; is not an XML character`);
    return String.fromCodePoint(code);
  });
}

/** Parses `xml`, throwing an Error that says where it is malformed. */
export function parseXml(xml: string): XmlElement {
  let i = 0;
  const fail = (msg: string): never => {
    throw new Error(`${msg} at offset ${i}: ${JSON.stringify(xml.slice(i, i + 30))}`);
  };
  if (/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(xml)) fail('character not allowed in XML');
  const skipWs = () => {
    while (i < xml.length && /\s/.test(xml[i]!)) i++;
  };
  const skipMisc = () => {
    for (;;) {
      skipWs();
      if (xml.startsWith('<!--', i)) {
        const end = xml.indexOf('-->', i + 4);
        if (end < 0) fail('unterminated comment');
        i = end + 3;
      } else if (xml.startsWith('<?', i) && !xml.startsWith('<?xml ', i)) {
        const end = xml.indexOf('?>', i);
        if (end < 0) fail('unterminated processing instruction');
        i = end + 2;
      } else return;
    }
  };
  if (xml.startsWith('<?xml')) {
    const end = xml.indexOf('?>');
    if (end < 0) fail('unterminated XML declaration');
    const decl = xml.slice(0, end);
    if (!/^<\?xml\s+version="1\.[0-9]"(\s+encoding="[A-Za-z][A-Za-z0-9._-]*")?(\s+standalone="(yes|no)")?\s*$/.test(decl)) fail('bad XML declaration');
    i = end + 2;
  }
  const element = (): XmlElement => {
    if (xml[i] !== '<') fail('expected <');
    i++;
    const m = NAME.exec(xml.slice(i));
    if (!m) return fail('expected an element name');
    const name = m[0];
    i += name.length;
    const el: XmlElement = { name, attrs: {}, children: [], text: '' };
    for (;;) {
      const before = i;
      skipWs();
      if (xml.startsWith('/>', i)) {
        i += 2;
        return el;
      }
      if (xml[i] === '>') {
        i++;
        break;
      }
      if (i === before) fail('expected whitespace before an attribute');
      const a = NAME.exec(xml.slice(i));
      if (!a) return fail('expected an attribute name');
      i += a[0].length;
      skipWs();
      if (xml[i] !== '=') fail('expected =');
      i++;
      skipWs();
      const q = xml[i];
      if (q !== '"' && q !== "'") fail('expected a quoted attribute value');
      const end = xml.indexOf(q!, i + 1);
      if (end < 0) fail('unterminated attribute value');
      const raw = xml.slice(i + 1, end);
      if (raw.includes('<')) fail('< in attribute value');
      if (a[0] in el.attrs) fail(`duplicate attribute ${a[0]}`);
      el.attrs[a[0]] = decode(raw, i);
      i = end + 1;
    }
    for (;;) {
      const lt = xml.indexOf('<', i);
      if (lt < 0) fail(`unclosed element <${name}>`);
      const text = xml.slice(i, lt);
      if (text.includes(']]>')) fail(']]> in text');
      el.text += decode(text, i);
      i = lt;
      if (xml.startsWith('</', i)) {
        i += 2;
        if (!xml.startsWith(name, i)) fail(`mismatched end tag, expected </${name}>`);
        i += name.length;
        skipWs();
        if (xml[i] !== '>') fail('expected > after end tag name');
        i++;
        return el;
      }
      if (xml.startsWith('<!--', i)) {
        const end = xml.indexOf('-->', i + 4);
        if (end < 0) fail('unterminated comment');
        i = end + 3;
      } else if (xml.startsWith('<![CDATA[', i)) {
        const end = xml.indexOf(']]>', i);
        if (end < 0) fail('unterminated CDATA');
        el.text += xml.slice(i + 9, end);
        i = end + 3;
      } else el.children.push(element());
    }
  };
  skipMisc();
  const root = element();
  skipMisc();
  if (i !== xml.length) fail('content after the root element');
  return root;
}

/** Every descendant element named `name`, depth first. */
export function findAll(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement) => {
    if (e.name === name) out.push(e);
    e.children.forEach(walk);
  };
  walk(el);
  return out;
}
