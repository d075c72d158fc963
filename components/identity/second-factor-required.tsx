// Shown instead of an organization's pages when it requires a second factor and this session was
// signed in without one: where to set one up, and that signing in again with it is the way back.
import { Alert, ButtonLink, Card, CardBody } from "@/components/ui";

export function SecondFactorRequired({ message }: { message: string }) {
  return (
    <main id="main" tabIndex={-1} className="w-full flex-1 px-4 py-10 outline-none sm:px-8">
      <div className="mx-auto max-w-xl">
        <Card aria-labelledby="second-factor-required-title">
          <CardBody className="flex flex-col gap-4 py-5">
            <h1 id="second-factor-required-title" className="text-lg font-semibold text-zinc-900">
              Two-factor authentication required
            </h1>
            <Alert tone="warning">{message}</Alert>
            <p className="text-[13px] text-zinc-600">
              This browser was signed in without one. Setting one up now lets you in right away; no need to sign in again.
            </p>
            <div>
              <ButtonLink href="/account#mfa-title" variant="primary">
                Set up two-factor authentication
              </ButtonLink>
            </div>
          </CardBody>
        </Card>
      </div>
    </main>
  );
}
