import qrcode from 'qrcode-generator';

/**
 * The `otpauth://` enrolment URI as a QR code: inline SVG markup, one path of dark modules. Inline markup
 * with presentation attributes only (no `style`, no data: URL) needs nothing from the pages' strict CSP.
 * Error correction M, as authenticator apps' own examples use; the version is the smallest that fits.
 */
export function qrCodeSvg(text: string, label: string): string {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const n = qr.getModuleCount();
  const quiet = 4; // The quiet zone the QR specification asks for, in modules.
  let d = '';
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      if (qr.isDark(row, col)) d += `M${col + quiet} ${row + quiet}h1v1h-1z`;
    }
  }
  const size = n + 2 * quiet;
  return (
    `<svg class="qr" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" width="200" height="200" ` +
    `role="img" aria-label="${escapeAttribute(label)}" shape-rendering="crispEdges">` +
    `<rect width="${size}" height="${size}" fill="#fff"/><path fill="#000" d="${d}"/></svg>`
  );
}

const escapeAttribute = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
