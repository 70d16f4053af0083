import jsQR from 'jsqr';
import { describe, expect, it } from 'vitest';
import { qrCodeSvg } from './qr-code';

/** Paints the SVG's path (`M x y h1v1h-1z` squares on a white ground) into RGBA pixels, as a browser would. */
function rasterise(svg: string, scale = 4): { data: Uint8ClampedArray; width: number; height: number } {
  const size = Number(/viewBox="0 0 (\d+) \1"/.exec(svg)?.[1]);
  const d = /<path fill="#000" d="([^"]*)"/.exec(svg)?.[1] ?? '';
  const width = size * scale;
  const data = new Uint8ClampedArray(width * width * 4).fill(255);
  for (const m of d.matchAll(/M(\d+) (\d+)h1v1h-1z/g)) {
    const [x, y] = [Number(m[1]), Number(m[2])];
    for (let dy = 0; dy < scale; dy++)
      for (let dx = 0; dx < scale; dx++) {
        const i = ((y * scale + dy) * width + x * scale + dx) * 4;
        data[i] = data[i + 1] = data[i + 2] = 0;
      }
  }
  return { data, width, height: width };
}

describe('qrCodeSvg', () => {
  it('draws a code a QR reader decodes back to the enrolment URI', () => {
    const uri =
      'otpauth://totp/Gateway%3A%40alice%3Aexample.org?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Gateway&algorithm=SHA1&digits=6&period=30';
    const { data, width, height } = rasterise(qrCodeSvg(uri, 'QR code'));
    expect(jsQR(data, width, height)?.data).toBe(uri);
  });

  it('is markup the strict CSP allows: no style, no script, no URL; the label is escaped', () => {
    const svg = qrCodeSvg('otpauth://totp/x?secret=AAAA', 'a "b" <c>');
    expect(svg).not.toMatch(/style|script|href|data:/);
    expect(svg).toContain('aria-label="a &quot;b&quot; &lt;c&gt;"');
  });
});
