/**
 * A ceremony's options as data for the passkey script: JSON in a non-executed script element (the CSP
 * allows no inline script; this one is not run). `<` is escaped so the text cannot close the element.
 */
export function passkeyOptionsElement(optionsJson: string): string {
  return `<script type="application/json" id="passkey-options">${optionsJson.replace(/</g, '\\u003c')}</script>`;
}
