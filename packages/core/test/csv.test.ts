import { describe, expect, it } from 'vitest';
import { csvField, csvRecord } from '../src/csv.js';

describe('csvField', () => {
  it('leaves plain text and numbers as they are, and writes null as an empty field', () => {
    expect(csvField('Maria Lopez')).toBe('Maria Lopez');
    expect(csvField(72.5)).toBe('72.5');
    expect(csvField(-3)).toBe('-3');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField('')).toBe('');
  });

  it('quotes a field with a comma, quote, CR or LF, doubling its quotes (RFC 4180)', () => {
    expect(csvField('pain, left arm')).toBe('"pain, left arm"');
    expect(csvField('she said "no"')).toBe('"she said ""no"""');
    expect(csvField('line one\nline two')).toBe('"line one\nline two"');
    expect(csvField('a\r\nb')).toBe('"a\r\nb"');
  });

  it.each([
    ['=HYPERLINK("http://evil","x")', `"'=HYPERLINK(""http://evil"",""x"")"`],
    ['+1+1', "'+1+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\tcmd', "'\tcmd"],
    ['\r=1', `"'\r=1"`],
  ])('neutralises a formula: %j', (value, written) => {
    expect(csvField(value)).toBe(written);
  });
});

describe('csvRecord', () => {
  it('joins fields with commas and ends the record with CRLF', () => {
    expect(csvRecord(['a', 1, null, 'b,c'])).toBe('a,1,,"b,c"\r\n');
  });
});
