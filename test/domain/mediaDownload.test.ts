import { mediaDownloadProblem } from '../../src/domain/mediaDownload';

describe('mediaDownloadProblem: the bytes are the media object the lookup described', () => {
  it('accepts the same type (parameters ignored) and size, and generic labels', () => {
    expect(mediaDownloadProblem({ mimeType: 'image/jpeg', sizeBytes: 10 }, { contentType: 'image/jpeg', sizeBytes: 10 })).toBeUndefined();
    expect(mediaDownloadProblem({ mimeType: 'audio/ogg; codecs=opus' }, { contentType: 'audio/ogg', sizeBytes: 3 })).toBeUndefined();
    expect(mediaDownloadProblem({ mimeType: 'image/jpeg' }, { contentType: 'application/octet-stream', sizeBytes: 3 })).toBeUndefined();
  });

  it('refuses an HTML page, another type, and a size other than file_size', () => {
    expect(mediaDownloadProblem({ mimeType: 'image/jpeg' }, { contentType: 'text/html; charset=utf-8', sizeBytes: 90 })).toMatch(/HTML page/);
    expect(mediaDownloadProblem({ mimeType: 'image/jpeg' }, { contentType: 'application/json', sizeBytes: 90 })).toBe('the media URL answered application/json, the media object is image/jpeg');
    expect(mediaDownloadProblem({ mimeType: 'image/jpeg', sizeBytes: 4000 }, { contentType: 'image/jpeg', sizeBytes: 2000 })).toBe('the media URL answered 2000 bytes, the media object has 4000');
  });
});
