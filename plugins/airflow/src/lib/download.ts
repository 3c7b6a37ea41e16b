/**
 * Lets the browser save `content` as a file. CSV files get a UTF-8 byte
 * order mark so that spreadsheet programs read non-ASCII names correctly.
 */
export function downloadFile(
  filename: string,
  content: string,
  mimeType: string,
): void {
  const parts = mimeType.startsWith('text/csv')
    ? ['\uFEFF', content]
    : [content];
  const url = URL.createObjectURL(new Blob(parts, { type: mimeType }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = filename;
  anchor.style.display = 'none';
  document.body.appendChild(anchor);
  try {
    anchor.click();
  } finally {
    anchor.remove();
    // Revoke once the click has been handled.
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
}
