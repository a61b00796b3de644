/**
 * Reads the keys of an S3 DeleteObjects request body so each key can be authorized:
 *   <Delete xmlns="..."><Quiet>true</Quiet><Object><Key>k</Key><VersionId>v</VersionId></Object>...</Delete>
 *
 * A deliberately strict parser: only the elements S3 defines, no comments, CDATA, DOCTYPE, processing
 * instructions (other than the XML declaration), namespace prefixes or unknown entities. Anything that
 * could make S3 see a key this parser does not see is refused, and the caller denies the request.
 */
import { AwsProtocolError } from '../errors/protocol-error.js';

export interface DeleteObjectsKey {
  readonly key: string;
  readonly versionId?: string;
}

export const MAX_DELETE_OBJECTS_BODY_BYTES = 2 * 1024 * 1024;
const MAX_KEYS = 1000;
const OBJECT_CHILDREN = new Set(['Key', 'VersionId', 'ETag', 'LastModifiedTime', 'Size']);
const TAG = /^<(\/?)([A-Za-z][A-Za-z0-9_.-]*)((?:\s+[A-Za-z][A-Za-z0-9_.:-]*\s*=\s*"[^"<]*")*)\s*(\/?)>/;
const ENTITY = /&(?:(lt|gt|amp|quot|apos)|#(\d{1,7})|#x([0-9A-Fa-f]{1,6}));/g;
const NAMED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function bad(detail: string): AwsProtocolError {
  return new AwsProtocolError('AWS_MALFORMED_BODY', `DeleteObjects body: ${detail}`);
}

function decodeText(raw: string): string {
  const withoutEntities = raw.replace(ENTITY, '');
  if (withoutEntities.includes('&')) throw bad('unknown or malformed entity');
  return raw.replace(ENTITY, (_m, named: string | undefined, dec: string | undefined, hex: string | undefined) => {
    if (named !== undefined) return NAMED[named] ?? '';
    const code = dec !== undefined ? Number(dec) : parseInt(hex ?? '', 16);
    if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw bad('invalid character reference');
    return String.fromCodePoint(code);
  });
}

interface Frame {
  readonly name: string;
  text: string;
}

function stripDeclaration(xml: string): string {
  const body = xml.replace(/^\uFEFF/, '').trimStart();
  if (!body.startsWith('<?')) return body;
  const end = body.indexOf('?>');
  if (!/^<\?xml\s/.test(body) || end < 0) throw bad('processing instructions are not allowed');
  return body.slice(end + 2);
}

function openTag(stack: Frame[], name: string, attributes: string): void {
  const parent = stack[stack.length - 1]?.name;
  const allowed = parent === undefined ? name === 'Delete' : parent === 'Delete' ? name === 'Object' || name === 'Quiet' : parent === 'Object' && OBJECT_CHILDREN.has(name);
  if (!allowed) throw bad(`unexpected element <${name}>${parent === undefined ? '' : ` in <${parent}>`}`);
  if (attributes.trim() !== '' && !(name === 'Delete' && /^\s*xmlns\s*=\s*"[^"]*"\s*$/.test(attributes))) throw bad(`attributes on <${name}>`);
  stack.push({ name, text: '' });
}

interface ObjectDraft {
  key?: string;
  versionId?: string;
}

function finishObject(keys: DeleteObjectsKey[], current: ObjectDraft): void {
  if (current.key === undefined || current.key === '') throw bad('<Object> without a <Key>');
  keys.push(current.versionId === undefined ? { key: current.key } : { key: current.key, versionId: current.versionId });
  if (keys.length > MAX_KEYS) throw bad(`more than ${MAX_KEYS} keys`);
  delete current.key;
  delete current.versionId;
}

function closeTag(stack: Frame[], name: string, keys: DeleteObjectsKey[], current: ObjectDraft): void {
  const frame = stack.pop();
  if (frame?.name !== name) throw bad(`</${name}> does not close <${frame?.name ?? ''}>`);
  if ((name === 'Delete' || name === 'Object') && frame.text.trim() !== '') throw bad(`text inside <${name}>`);
  if (name === 'Key' || name === 'VersionId') {
    const field = name === 'Key' ? 'key' : 'versionId';
    if (current[field] !== undefined) throw bad(`<${name}> given twice in one <Object>`);
    current[field] = decodeText(frame.text);
  } else if (name === 'Object') {
    finishObject(keys, current);
  }
}

function addText(stack: Frame[], text: string): void {
  const top = stack[stack.length - 1];
  if (top !== undefined) top.text += text;
  else if (text.trim() !== '') throw bad('text outside the root element');
}

/** Handles one tag at the start of `rest`; returns how many characters it used. */
function handleTag(rest: string, stack: Frame[], keys: DeleteObjectsKey[], current: ObjectDraft): number {
  if (rest.startsWith('<!') || rest.startsWith('<?')) throw bad('comments, CDATA, DOCTYPE and processing instructions are not allowed');
  const match = TAG.exec(rest);
  if (match === null) throw bad('malformed tag');
  const [whole, slash, name = '', attributes = '', selfClosing] = match;
  if (slash === '/') {
    if (attributes !== '' || selfClosing === '/') throw bad('malformed closing tag');
    closeTag(stack, name, keys, current);
  } else {
    openTag(stack, name, attributes);
    if (selfClosing === '/') closeTag(stack, name, keys, current);
  }
  return whole.length;
}

/** Parses a DeleteObjects body; throws AWS_MALFORMED_BODY on anything unexpected or over the limits. */
export function parseDeleteObjectsKeys(xml: string, maxBytes: number = MAX_DELETE_OBJECTS_BODY_BYTES): DeleteObjectsKey[] {
  if (Buffer.byteLength(xml, 'utf8') > maxBytes) throw bad(`larger than ${maxBytes} bytes`);
  let rest = stripDeclaration(xml);
  const stack: Frame[] = [];
  const keys: DeleteObjectsKey[] = [];
  const current: ObjectDraft = {};
  let closedRoot = false;
  while (rest.length > 0) {
    const lt = rest.indexOf('<');
    addText(stack, lt < 0 ? rest : rest.slice(0, lt));
    if (lt < 0) break;
    if (closedRoot) throw bad('content after the root element');
    rest = rest.slice(lt);
    rest = rest.slice(handleTag(rest, stack, keys, current));
    closedRoot = stack.length === 0;
  }
  if (!closedRoot || stack.length > 0) throw bad('unterminated document');
  if (keys.length === 0) throw bad('no <Object> to delete');
  return keys;
}
