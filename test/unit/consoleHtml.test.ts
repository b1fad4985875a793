import { escapeHtml, html } from '../../src/console/html';

describe('console html template', () => {
  it('escapes every interpolated value, in text and in attributes', () => {
    const name = `<script>alert("x")</script> & 'quotes'`;
    expect(html`<p title="${name}">${name}</p>`.text).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;</p>',
    );
  });

  it('keeps fragments built by html as markup, escapes the values inside them, and drops empty values', () => {
    const rows = ['a<b', 'c'].map((value) => html`<li>${value}</li>`);
    expect(html`<ul>${rows}${null}${undefined}${false}</ul><i>${0}</i>`.text).toBe('<ul><li>a&lt;b</li><li>c</li></ul><i>0</i>');
  });

  it('treats a plain string that looks like markup as text', () => {
    expect(html`${'<b>bold</b>'}`.text).toBe(escapeHtml('<b>bold</b>'));
    expect(escapeHtml('<b>bold</b>')).toBe('&lt;b&gt;bold&lt;/b&gt;');
  });
});
