import { describe, expect, it } from '@jest/globals';
import { parseDeleteObjectsKeys } from './delete-objects.js';
import { codeOf } from '../testdata/load.js';

const NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';

describe('parseDeleteObjectsKeys', () => {
  it('reads keys and version ids as the SDK writes them', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?><Delete ${NS}><Object><Key>a.txt</Key></Object><Object><Key>dir/b</Key><VersionId>v1</VersionId></Object><Quiet>true</Quiet></Delete>`;
    expect(parseDeleteObjectsKeys(xml)).toEqual([{ key: 'a.txt' }, { key: 'dir/b', versionId: 'v1' }]);
  });

  it('decodes entities and keeps whitespace inside keys', () => {
    const xml = `<Delete>\n  <Object>\n    <Key> a&amp;b&lt;c&#47;d&#x20AC; </Key>\n  </Object>\n</Delete>`;
    expect(parseDeleteObjectsKeys(xml)).toEqual([{ key: ' a&b<c/d€ ' }]);
  });

  it('keeps traversal-looking keys verbatim', () => {
    expect(parseDeleteObjectsKeys('<Delete><Object><Key>../other-bucket/k</Key></Object></Delete>')).toEqual([{ key: '../other-bucket/k' }]);
  });

  const refused: readonly [string, string][] = [
    ['a comment that could hide a key', '<Delete><!-- --><Object><Key>a</Key></Object></Delete>'],
    ['CDATA', '<Delete><Object><Key><![CDATA[a]]></Key></Object></Delete>'],
    ['a DOCTYPE with entities', '<!DOCTYPE d [<!ENTITY x "y">]><Delete><Object><Key>&x;</Key></Object></Delete>'],
    ['an unknown entity', '<Delete><Object><Key>&x;</Key></Object></Delete>'],
    ['a bare ampersand', '<Delete><Object><Key>a&b</Key></Object></Delete>'],
    ['a NUL character reference', '<Delete><Object><Key>&#0;</Key></Object></Delete>'],
    ['a namespace prefix', '<s3:Delete><s3:Object><s3:Key>a</s3:Key></s3:Object></s3:Delete>'],
    ['an unknown element', '<Delete><Object><Key>a</Key><Evil>b</Evil></Object></Delete>'],
    ['a nested Key', '<Delete><Object><Key><Key>a</Key></Key></Object></Delete>'],
    ['two keys in one Object', '<Delete><Object><Key>a</Key><Key>b</Key></Object></Delete>'],
    ['an Object without Key', '<Delete><Object><VersionId>v</VersionId></Object></Delete>'],
    ['an empty key', '<Delete><Object><Key></Key></Object></Delete>'],
    ['text directly in Object', '<Delete><Object>x<Key>a</Key></Object></Delete>'],
    ['attributes on Key', '<Delete><Object><Key id="1">a</Key></Object></Delete>'],
    ['a mismatched close', '<Delete><Object><Key>a</VersionId></Object></Delete>'],
    ['an unterminated document', '<Delete><Object><Key>a</Key></Object>'],
    ['a second root', '<Delete><Object><Key>a</Key></Object></Delete><Delete></Delete>'],
    ['another root element', '<Remove><Object><Key>a</Key></Object></Remove>'],
    ['no objects', '<Delete><Quiet>true</Quiet></Delete>'],
    ['a processing instruction', '<Delete><?pi x?><Object><Key>a</Key></Object></Delete>'],
  ];
  for (const [what, xml] of refused) {
    it(`refuses ${what}`, () => {
      expect(codeOf(() => parseDeleteObjectsKeys(xml))).toBe('AWS_MALFORMED_BODY');
    });
  }

  it('refuses more than 1000 keys', () => {
    const xml = `<Delete>${'<Object><Key>k</Key></Object>'.repeat(1001)}</Delete>`;
    expect(codeOf(() => parseDeleteObjectsKeys(xml))).toBe('AWS_MALFORMED_BODY');
  });

  it('refuses a body over the byte limit', () => {
    expect(codeOf(() => parseDeleteObjectsKeys(`<Delete><Object><Key>${'a'.repeat(100)}</Key></Object></Delete>`, 64))).toBe('AWS_MALFORMED_BODY');
  });

  it('accepts 1000 keys of 1024 bytes', () => {
    const key = 'k'.repeat(1024);
    const keys = parseDeleteObjectsKeys(`<Delete>${`<Object><Key>${key}</Key></Object>`.repeat(1000)}</Delete>`);
    expect(keys).toHaveLength(1000);
  });
});
