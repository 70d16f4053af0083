import { Browser, formAction, hiddenFields, hiddenInput } from './browser';

// No test-runner imports: the benchmarks use these helpers too.

/**
 * Drives an authorization URL through the sign-in (or registration) form and the consent page, as a
 * person with a browser would, and returns where the browser is sent back to the client.
 */
export async function approve(
  authorizeUrl: string,
  issuer: string,
  credentials: { username: string; password: string; register?: boolean },
  browser = new Browser(),
): Promise<URL> {
  let step = await browser.follow(await browser.get(authorizeUrl), issuer);
  const first = step.page;
  if (first === undefined) return step.redirect!;
  const action = credentials.register === true ? '/register' : '/login';
  if (!first.html.includes(`${action}"`))
    throw new Error(`expected a ${action} form:\n${first.html.slice(0, 300)}`);
  step = await browser.follow(
    await browser.post(new URL(formAction(first.html, action), issuer).toString(), {
      csrf: hiddenInput(first.html, 'csrf'),
      username: credentials.username,
      password: credentials.password,
    }),
    issuer,
  );
  if (step.page?.html.includes('/consent"') === true) {
    step = await browser.follow(
      await browser.post(new URL(formAction(step.page.html, '/consent'), issuer).toString(), {
        csrf: hiddenInput(step.page.html, 'csrf'),
      }),
      issuer,
    );
  }
  if (!step.redirect)
    throw new Error(`sign-in did not return to the client:\n${step.page?.html.slice(0, 800) ?? ''}`);
  return step.redirect;
}

/** Enters a device-flow user code at /link and approves it, as the person holding the other device. */
export async function approveDevice(
  verificationUri: string,
  userCode: string,
  issuer: string,
  credentials: { username: string; password: string },
): Promise<void> {
  const browser = new Browser();
  const entry = await browser.follow(await browser.get(verificationUri), issuer);
  const html = entry.page!.html;
  const xsrf = hiddenInput(html, 'xsrf');
  const confirm = await browser.follow(
    await browser.post(new URL('/link', issuer).toString(), { xsrf, user_code: userCode }),
    issuer,
  );
  const confirmHtml = confirm.page!.html;
  if (!confirmHtml.includes('Confirm the device'))
    throw new Error(`expected the confirmation page:\n${confirmHtml.slice(0, 300)}`);
  let step = await browser.follow(
    await browser.post(
      new URL(formAction(confirmHtml, '/link'), issuer).toString(),
      hiddenFields(confirmHtml),
    ),
    issuer,
  );
  const login = step.page!;
  step = await browser.follow(
    await browser.post(new URL(formAction(login.html, '/login'), issuer).toString(), {
      csrf: hiddenInput(login.html, 'csrf'),
      ...credentials,
    }),
    issuer,
  );
  if (step.page?.html.includes('/consent"') === true) {
    step = await browser.follow(
      await browser.post(new URL(formAction(step.page.html, '/consent'), issuer).toString(), {
        csrf: hiddenInput(step.page.html, 'csrf'),
      }),
      issuer,
    );
  }
  if (step.page?.html.includes('Device linked') !== true)
    throw new Error(`device not linked:\n${step.page?.html.slice(0, 300) ?? ''}`);
}
