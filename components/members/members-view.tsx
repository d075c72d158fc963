"use client";
// Members of an organization: roles (organization-wide and per project), invitations (pending,
// re-issued, revoked), set-password links for members who never signed in, and removing people.
// Controls appear only for roles that may use them; the server decides, and its refusals are
// shown next to the control that caused them.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { ROLES, canGrantRole, roleHasPermission, type Role } from "@/server/contracts/permissions";
import { useTRPC } from "@/components/trpc/client";
import {
  ActionsTH,
  Badge,
  Button,
  Card,
  ConfirmDialog,
  EmptyState,
  PageHeader,
  Select,
  Spinner,
  TBody,
  TD,
  TH,
  THead,
  TR,
  Table,
  QueryBody,
} from "@/components/ui";
import { LinkIcon, LogOutIcon, PlusIcon, TrashIcon, UsersIcon } from "@/components/ui/icons";
import { errorInfo } from "@/components/lib/errors";
import { QueryErrorAlert } from "@/components/lib/error-alert";
import { Time } from "@/components/lib/time";
import { RoleBadge } from "@/components/projects/role-badge";
import { InviteMemberDialog, PasswordLinkDialog, ReissueInvitationDialog } from "./member-dialogs";
import type { RouterOutputs } from "@/components/trpc/client";

type Member = RouterOutputs["members"]["list"][number];
type Invitation = RouterOutputs["members"]["invitations"][number];

type Props = {
  orgSlug: string;
  orgName: string;
  myRole: Role;
  myUserId: string;
  projects: { slug: string; name: string }[];
};

export function MembersView({ orgSlug, orgName, myRole, myUserId, projects }: Props) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const requested = searchParams.get("project");
  const project = projects.find((p) => p.slug === requested) ?? projects[0];

  const canAdd = roleHasPermission(myRole, "member:create");
  const canUpdate = roleHasPermission(myRole, "member:update");
  const canRemove = roleHasPermission(myRole, "member:delete");

  const members = useQuery(trpc.members.list.queryOptions({ orgSlug, projectSlug: project?.slug }));
  const [adding, setAdding] = useState(false);
  const [linkFor, setLinkFor] = useState<Member | null>(null);
  const [removing, setRemoving] = useState<Member | null>(null);
  const [signingOut, setSigningOut] = useState<Member | null>(null);
  const [status, setStatus] = useState("");

  function chooseProject(slug: string) {
    const params = new URLSearchParams(searchParams);
    params.set("project", slug);
    router.replace(`${pathname}?${params}`, { scroll: false });
  }

  return (
    <>
      <PageHeader
        title="Members"
        description={`People in ${orgName} and what they may do. A project role, when set, replaces the organization role in that project.`}
        actions={
          canAdd ? (
            <Button variant="primary" icon={<PlusIcon />} onClick={() => setAdding(true)}>
              Invite member
            </Button>
          ) : null
        }
      />

      <Card aria-labelledby="members-title">
        <div className="flex flex-wrap items-end justify-between gap-3 border-b border-zinc-200 px-4 py-3">
          <div className="flex min-h-7 flex-wrap items-center gap-x-3 gap-y-1">
            <h2 id="members-title" className="text-sm font-semibold text-zinc-900">
              {members.data ? `${members.data.length} ${members.data.length === 1 ? "member" : "members"}` : "Members"}
            </h2>
            <p role="status" className="text-xs text-emerald-700">
              {status}
            </p>
          </div>
          {project && projects.length > 1 ? (
            <Select label="Project roles for" size="sm" value={project.slug} onChange={(e) => chooseProject(e.target.value)} wrapperClassName="w-56">
              {projects.map((p) => (
                <option key={p.slug} value={p.slug}>
                  {p.name}
                </option>
              ))}
            </Select>
          ) : null}
        </div>

        <QueryBody query={members} what="members" empty={<EmptyState icon={<UsersIcon />} title="No members yet" />}>
          {(data) => (
            <Table caption={`Members of ${orgName}`}>
              <THead>
                <TR>
                  <TH>Name</TH>
                  <TH>Email</TH>
                  <TH>Organization role</TH>
                  {project ? <TH>Role in {project.name}</TH> : null}
                  <TH>Joined</TH>
                  {canAdd || canRemove ? <ActionsTH /> : null}
                </TR>
              </THead>
              <TBody>
                {data.map((m) => (
                  <MemberRow
                    key={m.userId}
                    member={m}
                    isMe={m.userId === myUserId}
                    orgSlug={orgSlug}
                    project={project}
                    myRole={myRole}
                    canUpdate={canUpdate}
                    canAdd={canAdd}
                    canRemove={canRemove}
                    onStatus={setStatus}
                    onNewLink={() => setLinkFor(m)}
                    onRemove={() => setRemoving(m)}
                    onSignOut={() => setSigningOut(m)}
                  />
                ))}
              </TBody>
            </Table>
          )}
        </QueryBody>
      </Card>

      {canAdd ? <InvitationsCard orgSlug={orgSlug} orgName={orgName} onStatus={setStatus} /> : null}

      <InviteMemberDialog open={adding} onClose={() => setAdding(false)} orgSlug={orgSlug} orgName={orgName} myRole={myRole} />
      <PasswordLinkDialog member={linkFor} onClose={() => setLinkFor(null)} orgSlug={orgSlug} />
      <SignOutMemberDialog
        member={signingOut}
        onClose={() => setSigningOut(null)}
        orgSlug={orgSlug}
        onDone={(m, revoked) =>
          setStatus(revoked ? `${displayName(m)} was signed out of ${revoked} session${revoked === 1 ? "" : "s"}` : `${displayName(m)} had no active session`)
        }
      />
      <RemoveMemberDialog
        member={removing}
        onClose={() => setRemoving(null)}
        orgSlug={orgSlug}
        orgName={orgName}
        onRemoved={(m) => setStatus(`${m.name || m.email} was removed`)}
      />
    </>
  );
}

function displayName(m: Member) {
  return m.name || m.email;
}

function MemberRow({
  member: m,
  isMe,
  orgSlug,
  project,
  myRole,
  canUpdate,
  canAdd,
  canRemove,
  onStatus,
  onNewLink,
  onRemove,
  onSignOut,
}: {
  member: Member;
  isMe: boolean;
  orgSlug: string;
  project?: { slug: string; name: string };
  myRole: Role;
  canUpdate: boolean;
  canAdd: boolean;
  canRemove: boolean;
  onStatus: (text: string) => void;
  onNewLink: () => void;
  onRemove: () => void;
  onSignOut: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.members.list.queryKey() });
  const changeRole = useMutation(
    trpc.members.changeRole.mutationOptions({
      onSuccess: (r) => {
        onStatus(`${displayName(m)} is now ${r.role}`);
        return invalidate();
      },
    }),
  );
  const setProjectRole = useMutation(
    trpc.members.setProjectRole.mutationOptions({
      onSuccess: (r) => {
        onStatus(
          r.projectRole ? `${displayName(m)} is ${r.projectRole} in ${project?.name}` : `${displayName(m)} now has their organization role in ${project?.name}`,
        );
        return invalidate();
      },
    }),
  );
  // Only an owner may change an owner's access; nobody may grant above their own role.
  const ownerLocked = m.role === "owner" && myRole !== "owner";
  const editable = canUpdate && !ownerLocked;
  const name = displayName(m);
  const roleError = changeRole.error ? errorInfo(changeRole.error).message : null;
  const projectRoleError = setProjectRole.error ? errorInfo(setProjectRole.error).message : null;

  return (
    <TR>
      <TD>
        <div className="flex items-center gap-2 whitespace-nowrap">
          <span className="font-medium text-zinc-900">{m.name || "—"}</span>
          {isMe ? <Badge tone="outline">You</Badge> : null}
          {m.neverSignedIn ? (
            <Badge tone="warning" title="Has never signed in">
              Never signed in
            </Badge>
          ) : null}
        </div>
      </TD>
      <TD className="text-zinc-600">{m.email}</TD>
      <TD>
        {editable ? (
          <div className="flex flex-col gap-1">
            <div className="flex items-center gap-2">
              <Select
                label={`Organization role of ${name}`}
                hideLabel
                size="sm"
                value={changeRole.isPending ? changeRole.variables.role : m.role}
                disabled={changeRole.isPending}
                error={roleError}
                onChange={(e) => changeRole.mutate({ orgSlug, userId: m.userId, role: e.target.value as Role })}
                boxClassName="w-32"
                wrapperClassName="max-w-56 gap-1!"
              >
                {ROLES.map((r) => (
                  <option key={r} value={r} disabled={r !== m.role && !canGrantRole(myRole, r)}>
                    {r}
                  </option>
                ))}
              </Select>
              {changeRole.isPending ? <Spinner size={14} className="text-zinc-500" /> : null}
            </div>
          </div>
        ) : (
          <RoleBadge role={m.role} />
        )}
      </TD>
      {project ? (
        <TD>
          {editable ? (
            <div className="flex items-center gap-2">
              <Select
                label={`Role of ${name} in ${project.name}`}
                hideLabel
                size="sm"
                value={(setProjectRole.isPending ? setProjectRole.variables.role : m.projectRole) ?? ""}
                disabled={setProjectRole.isPending}
                error={projectRoleError}
                onChange={(e) => setProjectRole.mutate({ orgSlug, projectSlug: project.slug, userId: m.userId, role: (e.target.value || null) as Role | null })}
                boxClassName="w-40"
                wrapperClassName="max-w-56 gap-1!"
              >
                <option value="">Inherit ({m.role})</option>
                {ROLES.map((r) => (
                  <option key={r} value={r} disabled={r !== m.projectRole && !canGrantRole(myRole, r)}>
                    {r}
                  </option>
                ))}
              </Select>
              {setProjectRole.isPending ? <Spinner size={14} className="text-zinc-500" /> : null}
            </div>
          ) : m.projectRole ? (
            <RoleBadge role={m.projectRole} />
          ) : (
            <span className="text-xs text-zinc-500">Inherits {m.role}</span>
          )}
        </TD>
      ) : null}
      <TD className="whitespace-nowrap text-zinc-500">
        <Time value={m.joinedAt} mode="date" />
      </TD>
      {canAdd || canRemove ? (
        <TD className="text-right whitespace-nowrap">
          <div className="flex justify-end gap-1">
            {canAdd && m.neverSignedIn && !isMe ? (
              <Button size="sm" variant="ghost" icon={<LinkIcon size={14} />} aria-label={`New link: set password for ${name}`} onClick={onNewLink}>
                New link
              </Button>
            ) : null}
            {canRemove && !isMe && !ownerLocked ? (
              <Button size="sm" variant="ghost" icon={<LogOutIcon size={14} />} aria-label={`Sign out ${name} everywhere`} onClick={onSignOut}>
                Sign out
              </Button>
            ) : null}
            {canRemove && !isMe && !ownerLocked ? (
              <Button size="sm" variant="danger-ghost" icon={<TrashIcon size={14} />} aria-label={`Remove ${name}`} onClick={onRemove}>
                Remove
              </Button>
            ) : null}
          </div>
        </TD>
      ) : null}
    </TR>
  );
}

function SignOutMemberDialog({
  member,
  onClose,
  orgSlug,
  onDone,
}: {
  member: Member | null;
  onClose: () => void;
  orgSlug: string;
  onDone: (m: Member, revoked: number) => void;
}) {
  const trpc = useTRPC();
  const signOut = useMutation(
    trpc.members.revokeSessions.mutationOptions({
      onSuccess: (result) => {
        if (member) onDone(member, result.revoked);
        onClose();
      },
    }),
  );
  return (
    <ConfirmDialog
      open={!!member}
      onClose={onClose}
      title={`Sign out ${member ? displayName(member) : "member"} everywhere?`}
      confirmLabel="Sign out everywhere"
      onConfirm={() => member && signOut.mutate({ orgSlug, userId: member.userId })}
      mutation={signOut}
    >
      <p>
        Every signed-in session of <span className="font-medium text-zinc-900">{member?.email}</span> ends at its next request, in every browser. They stay a
        member and can sign in again. Use it for a lost laptop or a shared computer.
      </p>
    </ConfirmDialog>
  );
}

function RemoveMemberDialog({
  member,
  onClose,
  orgSlug,
  orgName,
  onRemoved,
}: {
  member: Member | null;
  onClose: () => void;
  orgSlug: string;
  orgName: string;
  onRemoved: (m: Member) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const remove = useMutation(
    trpc.members.remove.mutationOptions({
      onSuccess: async () => {
        if (member) onRemoved(member);
        await queryClient.invalidateQueries({ queryKey: trpc.members.list.queryKey() });
        onClose();
      },
    }),
  );
  return (
    <ConfirmDialog
      open={!!member}
      onClose={onClose}
      title={`Remove ${member ? displayName(member) : "member"}?`}
      confirmLabel="Remove member"
      onConfirm={() => member && remove.mutate({ orgSlug, userId: member.userId })}
      mutation={remove}
    >
      <p>
        <span className="font-medium text-zinc-900">{member?.email}</span> loses access to {orgName} and all its projects at once, and any signed-in session
        stops working. Their past actions stay in the audit log.
      </p>
    </ConfirmDialog>
  );
}

/** Open invitations: only the email this organization typed, never who is behind it. */
function InvitationsCard({ orgSlug, orgName, onStatus }: { orgSlug: string; orgName: string; onStatus: (text: string) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invitations = useQuery(trpc.members.invitations.queryOptions({ orgSlug }));
  const [reissuing, setReissuing] = useState<Invitation | null>(null);
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  const revoke = useMutation(
    trpc.members.revokeInvitation.mutationOptions({
      onSuccess: async () => {
        if (revoking) onStatus(`The invitation for ${revoking.email} was revoked`);
        await queryClient.invalidateQueries({ queryKey: trpc.members.invitations.queryKey() });
        setRevoking(null);
      },
    }),
  );
  if (!invitations.data?.length && !invitations.isError) return null;
  return (
    <Card aria-labelledby="invitations-title" className="mt-4">
      <div className="border-b border-zinc-200 px-4 py-3">
        <h2 id="invitations-title" className="text-sm font-semibold text-zinc-900">
          Pending invitations{invitations.data ? ` (${invitations.data.length})` : ""}
        </h2>
        <p className="mt-0.5 text-xs text-zinc-500">People join {orgName} when they accept. Until then Keel shows only the email you typed.</p>
      </div>
      {invitations.isError ? (
        <div className="p-4">
          <QueryErrorAlert title="Could not load the invitations" error={invitations.error} />
        </div>
      ) : (
        <Table caption={`Pending invitations to ${orgName}`}>
          <THead>
            <TR>
              <TH>Email</TH>
              <TH>Role</TH>
              <TH>Invited by</TH>
              <TH>Expires</TH>
              <ActionsTH />
            </TR>
          </THead>
          <TBody>
            {invitations.data?.map((i) => (
              <TR key={i.id}>
                <TD className="font-medium text-zinc-900">{i.email}</TD>
                <TD>
                  <RoleBadge role={i.role} />
                </TD>
                <TD className="text-zinc-600">{i.invitedBy ?? "—"}</TD>
                <TD className="whitespace-nowrap text-zinc-500">
                  {i.expired ? <Badge tone="warning">Expired</Badge> : <Time value={i.expiresAt} mode="date" />}
                </TD>
                <TD className="text-right whitespace-nowrap">
                  <div className="flex justify-end gap-1">
                    <Button
                      size="sm"
                      variant="ghost"
                      icon={<LinkIcon size={14} />}
                      aria-label={`New link: invitation for ${i.email}`}
                      onClick={() => setReissuing(i)}
                    >
                      New link
                    </Button>
                    <Button
                      size="sm"
                      variant="danger-ghost"
                      icon={<TrashIcon size={14} />}
                      aria-label={`Revoke the invitation for ${i.email}`}
                      onClick={() => setRevoking(i)}
                    >
                      Revoke
                    </Button>
                  </div>
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
      <ReissueInvitationDialog invitation={reissuing} onClose={() => setReissuing(null)} orgSlug={orgSlug} />
      <ConfirmDialog
        open={!!revoking}
        onClose={() => setRevoking(null)}
        title={`Revoke the invitation for ${revoking?.email ?? ""}?`}
        confirmLabel="Revoke invitation"
        onConfirm={() => revoking && revoke.mutate({ orgSlug, invitationId: revoking.id })}
        mutation={revoke}
      >
        <p>The link stops working at once. You can invite the same email again later.</p>
      </ConfirmDialog>
    </Card>
  );
}
